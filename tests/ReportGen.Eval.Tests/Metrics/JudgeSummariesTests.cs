using ReportGen.Eval.Metrics.Judging;
using ReportGen.Pipelines.Judging;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

// GREEN and CheXprompt answers are parsed by the pipeline's parsers (tests in ReportGen.Pipelines.Tests/Judging/NativeParsingTests.cs).
[Fast]
public sealed class JudgeSummariesTests
{
    [Fact]
    public void Green_summary_averages_parsed_items_and_counts_the_rest()
    {
        GreenJudgement[] results =
        [
            GreenJudge.ParseNative("[Clinically Significant Errors]:\n(a) x: 1.\n\n[Matched Findings]:\n3. a; b; c"),   // 0.75
            GreenJudge.ParseNative("[Clinically Significant Errors]:\nNo errors.\n\n[Matched Findings]:\n2. a; b"),       // 1.0
            GreenJudge.ParseNative("garbage"),
        ];
        var m = JudgeSummaries.Green(results);
        m["green_mean"].ShouldBe(0.875, 1e-12);
        m["green_std"].ShouldBe(0.125, 1e-12);
        m["green_unparseable"].ShouldBe(1);
        m["green_significant_false_positive_finding"].ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void Chexprompt_summary_averages_totals()
    {
        CheXpromptJudgement[] results =
        [
            CheXpromptJudge.ParseNative("Number of clinically significant errors by type: ((A, 1), (B, 1), (C, 0), (D, 0), (E, 0), (F, 1))\nNumber of clinically insignificant errors by type: ((A, 0), (B, 0), (C, 0), (D, 0), (E, 0), (F, 0))"),
            CheXpromptJudge.ParseNative("no"),
        ];
        var m = JudgeSummaries.CheXprompt(results);
        m["chexprompt_significant_errors"].ShouldBe(3);
        m["chexprompt_unparseable"].ShouldBe(1);
        m["chexprompt_significant_omission_comparison"].ShouldBe(1);
    }
}
