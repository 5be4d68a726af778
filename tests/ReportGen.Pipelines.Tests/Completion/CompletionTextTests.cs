using ReportGen.Pipelines.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Completion;

[Fast]
public sealed class CompletionTextTests
{
    [Fact]
    public void Splits_sentences_and_normalises_endings()
    {
        var sentences = CompletionText.SplitSentences("The lungs are clear.  No pleural effusion or pneumothorax.. Heart size 2.5 cm\nnormal");
        sentences.ShouldBe(["The lungs are clear.", "No pleural effusion or pneumothorax.", "Heart size 2.5 cm normal."]);
    }

    [Fact]
    public void Key_is_case_folded_words_and_keeps_the_deidentification_token()
    {
        CompletionText.Key("The XXXX are  grossly normal.").ShouldBe("the xxxx are grossly normal");
    }

    [Theory]
    [InlineData("The lungs are cl", "the,lungs,are", "cl")]
    [InlineData("The lungs ", "the,lungs", "")]
    [InlineData("", "", "")]
    public void Prefix_split_into_complete_words_and_partial_word(string prefix, string words, string partial)
    {
        var (w, p) = CompletionText.SplitPrefix(prefix);
        string.Join(',', w).ShouldBe(words);
        p.ShouldBe(partial);
    }

    [Theory]
    [InlineData("the lungs are cl", "The lungs are clear.", "the lungs are clear.")]
    [InlineData("No ", "No pleural effusion.", "No pleural effusion.")]
    [InlineData("no", "No pleural effusion.", "no pleural effusion.")]
    [InlineData("", "Heart size normal.", "Heart size normal.")]
    public void Continuation_keeps_what_the_user_typed(string prefix, string sentence, string expected)
    {
        CompletionText.ContinueFrom(prefix, sentence).ShouldBe(expected);
    }
}
