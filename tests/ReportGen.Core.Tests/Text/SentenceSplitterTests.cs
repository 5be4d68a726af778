using ReportGen.Core.Text;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Text;

[Fast]
public class SentenceSplitterTests
{
    [Theory]
    [InlineData("Heart size is normal. The lungs are clear.", "Heart size is normal.|The lungs are clear.")]
    [InlineData("A 2.5 cm nodule is seen. No effusion.", "A 2.5 cm nodule is seen.|No effusion.")]
    [InlineData("Opacities, e.g. in the left base, are new. Stable otherwise.", "Opacities, e.g. in the left base, are new.|Stable otherwise.")]
    [InlineData("Findings discussed with Dr. Smith. No change.", "Findings discussed with Dr. Smith.|No change.")]
    [InlineData("Atelectasis vs. pneumonia. Effusion i.e. fluid.", "Atelectasis vs. pneumonia.|Effusion i.e. fluid.")]
    [InlineData("Nodule measuring approx. 3 mm. No mass.", "Nodule measuring approx. 3 mm.|No mass.")]
    [InlineData("1. Small effusion. 2. No pneumothorax.", "1. Small effusion.|2. No pneumothorax.")]
    [InlineData("IMPRESSION:\n1. Cardiomegaly\n2. Small effusions", "IMPRESSION:|1. Cardiomegaly|2. Small effusions")]
    [InlineData("心拡大あり。胸水なし。", "心拡大あり。|胸水なし。")]
    [InlineData("Is there effusion? No. Really!", "Is there effusion?|No.|Really!")]
    [InlineData("no acute process. lungs clear", "no acute process. lungs clear")]
    [InlineData("   ", "")]
    public void Splits_at_sentence_ends_only(string text, string expected)
    {
        string.Join('|', SentenceSplitter.SplitToStrings(text)).ShouldBe(expected);
    }

    [Fact]
    public void Sentences_point_back_into_the_text()
    {
        const string text = "  Heart normal.  Lungs clear.";
        foreach (var s in SentenceSplitter.Split(text))
        {
            text.Substring(s.Start, s.Text.Length).ShouldBe(s.Text);
        }
    }
}
