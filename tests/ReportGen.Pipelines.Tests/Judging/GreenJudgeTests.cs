using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

[Fast]
public class GreenJudgeTests
{
    private static string Cat(int a, int b = 0) =>
        "{\"a\":{\"count\":" + a + ",\"errors\":[]},\"b\":{\"count\":" + b + ",\"errors\":[]},\"c\":{\"count\":0,\"errors\":[]},\"d\":{\"count\":0,\"errors\":[]},\"e\":{\"count\":0,\"errors\":[]},\"f\":{\"count\":0,\"errors\":[]}}";

    private static string Answer(string sig, string insig, int matched) =>
        "{\"explanation\":\"x\",\"clinically_significant_errors\":" + sig + ",\"clinically_insignificant_errors\":" + insig + ",\"matched_findings\":{\"count\":" + matched + ",\"findings\":[]}}";

    [Fact]
    public void Score_is_matched_over_matched_plus_significant()
    {
        var g = GreenJudge.Parse(Answer(Cat(1, 2), Cat(5), 3));
        g.Parsed.ShouldBeTrue();
        g.Score!.Value.ShouldBe(0.5, 1e-12);
        g.Significant.ShouldBe([1, 2, 0, 0, 0, 0]);
        g.Insignificant[0].ShouldBe(5);
    }

    [Fact]
    public void Zero_matched_scores_zero()
    {
        GreenJudge.Parse(Answer(Cat(0), Cat(0), 0)).Score.ShouldBe(0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"matched_findings":{"count":2,"findings":[]}}""")]
    [InlineData("""{"clinically_significant_errors":{"a":{"count":1}},"matched_findings":{"count":2}}""")]
    [InlineData("""{"clinically_significant_errors":{"a":{"count":-1},"b":{"count":0},"c":{"count":0},"d":{"count":0},"e":{"count":0},"f":{"count":0}},"matched_findings":{"count":2}}""")]
    public void Unreadable_answers_are_unparseable_with_no_score(string response)
    {
        var g = GreenJudge.Parse(response);
        g.Parsed.ShouldBeFalse();
        g.Score.ShouldBeNull();
        g.Problem.ShouldNotBeNull();
    }

    [Fact]
    public void Prompt_renders_both_reports()
    {
        var prompt = PromptLibrary.LoadDefault()[GreenJudge.PromptName];
        var messages = prompt.Render(new Dictionary<string, object?> { ["candidate"] = "CAND-TEXT", ["reference"] = "REF-TEXT" });
        var text = string.Join("\n", messages.Select(m => m.Text));
        text.ShouldContain("CAND-TEXT");
        text.ShouldContain("REF-TEXT");
        prompt.CreateChatOptions().ResponseFormat.ShouldNotBeNull();
    }
}
