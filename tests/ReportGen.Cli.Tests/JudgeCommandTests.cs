using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

public class JudgeCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> Judge(string candidate, string reference, string method)
    {
        using var dir = new TempDir();
        var c = Path.Combine(dir.Path, "c.txt");
        var r = Path.Combine(dir.Path, "r.txt");
        await File.WriteAllTextAsync(c, candidate, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(r, reference, TestContext.Current.CancellationToken);
        var o = new StringWriter();
        var e = new StringWriter();
        var exit = await JudgeCommand.RunAsync(c, r, method, null, o, e, TestContext.Current.CancellationToken);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task Rules_method_prints_score_and_counts()
    {
        var (exit, output, _) = await Judge("Large right pleural effusion. Mild cardiomegaly.", "Small left pleural effusion. Mild cardiomegaly.", "rules");
        exit.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("method").GetString().ShouldBe("rules");
        json.RootElement.GetProperty("location_mismatches").GetInt32().ShouldBe(1);
        json.RootElement.GetProperty("severity_mismatches").GetInt32().ShouldBe(1);
        json.RootElement.GetProperty("score").GetDouble().ShouldBeInRange(0.0, 0.99);
    }

    [Fact]
    public async Task Unknown_method_and_empty_report_are_usage_errors_and_green_without_model_is_runtime_error()
    {
        (await Judge("a", "b", "bleu")).Exit.ShouldBe(2);
        (await Judge("  ", "Effusion.", "rules")).Exit.ShouldBe(2);
        // LLM methods refuse bad text before looking for a model (exit 2 naming the field, not 1).
        var binary = await Judge("Effusion.", "a\0b", "green");
        binary.Exit.ShouldBe(2);
        binary.Err.ShouldContain("'reference'");
        var (exit, output, err) = await Judge("Effusion.", "Effusion.", "green");
        exit.ShouldBe(1);
        output.ShouldBeEmpty();
        err.ShouldContain("chat model");
    }
}
