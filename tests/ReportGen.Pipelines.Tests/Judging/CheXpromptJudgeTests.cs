using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

[Fast]
public class CheXpromptJudgeTests
{
    [Fact]
    public void Parses_a_to_f_counts()
    {
        var c = CheXpromptJudge.Parse("""{"clinically_significant":{"A":1,"B":2,"C":0,"D":0,"E":0,"F":1},"clinically_insignificant":{"A":0,"B":0,"C":3,"D":0,"E":0,"F":0}}""");
        c.Parsed.ShouldBeTrue();
        c.Significant.ShouldBe([1, 2, 0, 0, 0, 1]);
        c.SignificantTotal.ShouldBe(4);
        c.Insignificant[2].ShouldBe(3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"clinically_significant":{"A":1}}""")]
    [InlineData("""{"clinically_significant":{"A":1,"B":2,"C":0,"D":0,"E":0,"F":1},"clinically_insignificant":{"A":"x","B":0,"C":3,"D":0,"E":0,"F":0}}""")]
    public void Unreadable_answers_have_no_total(string response)
    {
        var c = CheXpromptJudge.Parse(response);
        c.Parsed.ShouldBeFalse();
        c.SignificantTotal.ShouldBeNull();
        c.Problem.ShouldNotBeNull();
    }

    [Fact]
    public void Prompt_renders_without_examples()
    {
        var prompt = PromptLibrary.LoadDefault()[CheXpromptJudge.PromptName];
        var text = string.Join("\n", prompt.Render(new Dictionary<string, object?> { ["candidate"] = "CAND", ["reference"] = "REF", ["examples"] = Array.Empty<object>() }).Select(m => m.Text));
        text.ShouldContain("CAND");
        text.ShouldContain("REF");
    }
}
