using ReportGen.Core.Text;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Text;

[Fast]
public class RadGraphTokenizerTests
{
    [Theory]
    // Expected values follow the radgraph package's re.sub('(?<! )(?=[/,-,:,.,!?()])|(?<=[/,-,:,.,!?()])(?! )', ' ', text).split().
    [InlineData("No pneumothorax.", "No|pneumothorax|.")]
    [InlineData("A 2.5 cm nodule (right upper lobe), stable.", "A|2|.|5|cm|nodule|(|right|upper|lobe|)|,|stable|.")]
    [InlineData("Heart size is normal.The lungs are clear", "Heart|size|is|normal|.|The|lungs|are|clear")]
    [InlineData("AP/lateral views: mid-lung x-ray's", "AP|/|lateral|views|:|mid-lung|x-ray's")]
    [InlineData("  spaced\tout\n\nwords  ", "spaced|out|words")]
    [InlineData("...", ".|.|.")]
    [InlineData("", "")]
    public void Splits_words_like_the_radgraph_preprocessing(string text, string expected)
    {
        string.Join('|', RadGraphTokenizer.Words(text)).ShouldBe(expected);
    }

    [Fact]
    public void Words_keep_their_offsets_in_the_original_text()
    {
        const string text = "Small left effusion, no pneumothorax.";
        foreach (var w in RadGraphTokenizer.Tokenize(text))
        {
            text.Substring(w.Start, w.Length).ShouldBe(w.Text);
        }
        RadGraphTokenizer.Normalize(text).ShouldBe("Small left effusion , no pneumothorax .");
    }
}
