using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Cli;
using ReportGen.Cli.Commands;
using ReportGen.Llama;
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

    private const string GroundedCandidate = """
        {"findings": [
          {"text": "Left pleural effusion.", "boxes": [{"x_min": 0.55, "y_min": 0.6, "x_max": 0.9, "y_max": 0.95}]},
          {"text": "No pneumothorax.", "boxes": []}
        ]}
        """;

    private const string GroundedReference = """
        {"findings": [
          {"text": "Small left pleural effusion.", "boxes": [{"normalized": {"x_min": 0.6, "y_min": 0.65, "x_max": 0.9, "y_max": 0.95}, "pixels": null}]}
        ]}
        """;

    private static async Task<(int Exit, JsonDocument? Json, string Err)> Run(string candidate, string reference, string method, Func<string?, IChatClient?>? chat, int? maxTokens = null, string format = "json")
    {
        using var dir = new TempDir();
        var c = Path.Combine(dir.Path, "c.txt");
        var r = Path.Combine(dir.Path, "r.txt");
        await File.WriteAllTextAsync(c, candidate, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(r, reference, TestContext.Current.CancellationToken);
        var o = new StringWriter();
        var e = new StringWriter();
        var exit = await JudgeCommand.RunAsync(new JudgeArguments(c, r, method, "stories260K", format, maxTokens), o, e, TestContext.Current.CancellationToken, chat);
        return (exit, exit == 0 ? JsonDocument.Parse(o.ToString()) : null, e.ToString());
    }

    /// <summary>A fresh llama.cpp client over stories260K per command (Threads = 1), built as the CLI builds it; the command disposes it.</summary>
    private static Func<string?, IChatClient?> Stories()
    {
        var path = SharedData.Model("stories260K.gguf");
        return _ => CliChatClients.Local(LlamaModel.Load(path), "stories260K", null, threads: 1);
    }

    /// <summary>The output contract every method keeps: method, score (number or null, null unless parsed), status, provenance.</summary>
    private static JsonElement Conforms(JsonDocument json, string method, string engine)
    {
        var root = json.RootElement;
        root.GetProperty("method").GetString().ShouldBe(method);
        var score = root.GetProperty("score");
        score.ValueKind.ShouldBeOneOf(JsonValueKind.Number, JsonValueKind.Null);
        var status = root.GetProperty("status").GetString();
        status.ShouldBeOneOf("parsed", "unparseable", "truncated", "failed", "partial");
        if (status is "unparseable" or "truncated" or "failed") score.ValueKind.ShouldBe(JsonValueKind.Null);
        var provenance = root.GetProperty("provenance");
        provenance.GetProperty("engine").GetString().ShouldBe(engine);
        provenance.GetProperty("elapsed_ms").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        if (engine == "llm")
        {
            provenance.GetProperty("prompt").GetProperty("sha256").GetString()!.Length.ShouldBe(64);
            // The manifest's id and hash, as the service names its model.
            var model = provenance.GetProperty("models")[0];
            model.GetProperty("id").GetString().ShouldBe("stories260k");
            model.GetProperty("sha256").GetString()!.Length.ShouldBe(64);
        }
        return root;
    }

    [Fact]
    public async Task Rules_output_conforms_and_reads_grounded_json_as_text()
    {
        var (exit, json, _) = await Run(GroundedCandidate, GroundedReference, "rules", null);
        exit.ShouldBe(0);
        var root = Conforms(json!, "rules", "rules");
        root.GetProperty("status").GetString().ShouldBe("parsed");
        root.GetProperty("matched_findings").GetInt32().ShouldBe(1);
        root.GetProperty("severity_mismatches").GetInt32().ShouldBe(0);   // "small" vs ungraded
        foreach (var key in new[] { "false_findings", "missed_findings", "location_mismatches", "extra_comparisons", "omitted_comparisons", "certainty_mismatches", "errors" })
            root.GetProperty(key).ValueKind.ShouldBe(JsonValueKind.Number);
        root.GetProperty("score").GetDouble().ShouldBe(1);
    }

    [Fact]
    public async Task Green_through_stories260k_conforms_in_both_formats()
    {
        var stories = Stories();
        var (exit, json, _) = await Run("Small left pleural effusion.", "Left pleural effusion. Mild cardiomegaly.", "green", stories, maxTokens: 400);
        exit.ShouldBe(0);
        var root = Conforms(json!, "green", "llm");
        root.GetProperty("provenance").GetProperty("prompt").GetProperty("name").GetString().ShouldBe("judge-green");
        root.GetProperty("status").GetString().ShouldBeOneOf("parsed", "unparseable", "truncated");   // the model ran: never "failed"
        root.GetProperty("significant_errors").EnumerateObject().Count().ShouldBe(6);
        if (root.GetProperty("status").GetString() == "parsed") root.GetProperty("score").GetDouble().ShouldBeInRange(0.0, 1.0);
        else root.GetProperty("problem").GetString().ShouldNotBeNullOrWhiteSpace();

        // GREEN's native prompt: a story model writes no bracketed sections, so the answer is reported unparseable, never 0.
        (exit, json, _) = await Run("Small left pleural effusion.", "Left pleural effusion.", "green", stories, maxTokens: 48, format: "native");
        exit.ShouldBe(0);
        root = Conforms(json!, "green", "llm");
        root.GetProperty("provenance").GetProperty("prompt").GetProperty("name").GetString().ShouldBe("judge-green-native");
        root.GetProperty("status").GetString().ShouldBeOneOf("unparseable", "truncated");
        root.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Chexprompt_through_stories260k_gives_constrained_counts_that_parse()
    {
        // The schema's counts are enums 0-20, so the grammar-constrained answer is bounded and always a usable count.
        var (exit, json, _) = await Run("Small effusion.", "Effusion.", "chexprompt", Stories());
        exit.ShouldBe(0);
        var root = Conforms(json!, "chexprompt", "llm");
        root.GetProperty("status").GetString().ShouldBe("parsed");
        root.GetProperty("insignificant_errors").EnumerateObject().Select(p => p.Name).ShouldContain("f_omitted_comparison");
        var total = root.GetProperty("significant_errors").EnumerateObject().Sum(p => p.Value.GetInt32());
        root.GetProperty("score").GetInt32().ShouldBe(total);
        total.ShouldBeInRange(0, 120);
    }

    [Fact]
    public async Task Radfact_constrained_verdicts_parse_when_the_answer_has_room_to_finish()
    {
        const string candidate = """{"findings": [{"text": "Left pleural effusion.", "boxes": [{"x_min": 0.55, "y_min": 0.6, "x_max": 0.9, "y_max": 0.95}]}]}""";
        var (exit, json, _) = await Run(candidate, GroundedReference, "radfact", Stories(), maxTokens: 1100);
        exit.ShouldBe(0);
        var root = Conforms(json!, "radfact", "llm");
        root.GetProperty("failures").GetInt32().ShouldBe(0);
        root.GetProperty("status").GetString().ShouldBe("parsed");
        root.GetProperty("logical_precision").GetDouble().ShouldBeOneOf(0.0, 1.0);
        root.GetProperty("logical_recall").GetDouble().ShouldBeOneOf(0.0, 1.0);
        root.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Number);
        root.GetProperty("candidate_phrases_with_boxes").GetInt32().ShouldBe(1);
        // One boxed phrase a side: spatial precision is defined (0 or 1); grounding precision only when it was entailed.
        root.GetProperty("spatial_precision").GetDouble().ShouldBeOneOf(0.0, 1.0);
        var verdict = root.GetProperty("candidate_verdicts")[0];
        verdict.GetProperty("status").GetString().ShouldBeOneOf("entailment", "contradiction", "neutral");
        if (verdict.GetProperty("status").GetString() == "entailment") root.GetProperty("grounding_precision").ValueKind.ShouldBe(JsonValueKind.Number);
        else root.GetProperty("grounding_precision").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Radfact_through_stories260k_conforms_on_grounded_input_and_counts_every_phrase()
    {
        // 120 tokens is too few for a story model's rambling evidence strings: cut-off answers are counted as truncated.
        var (exit, json, _) = await Run(GroundedCandidate, GroundedReference, "radfact", Stories(), maxTokens: 120);
        exit.ShouldBe(0);
        var root = Conforms(json!, "radfact", "llm");
        root.GetProperty("candidate_grounded").GetBoolean().ShouldBeTrue();
        root.GetProperty("reference_grounded").GetBoolean().ShouldBeTrue();
        root.GetProperty("candidate_phrases").GetInt32().ShouldBe(2);
        root.GetProperty("reference_phrases").GetInt32().ShouldBe(1);
        var verdicts = root.GetProperty("candidate_verdicts").EnumerateArray().Concat(root.GetProperty("reference_verdicts").EnumerateArray()).ToList();
        var judged = verdicts.Count(v => v.GetProperty("status").ValueKind == JsonValueKind.String);
        (judged + root.GetProperty("failures").GetInt32()).ShouldBe(3);
        root.GetProperty("failed_calls").GetInt32().ShouldBe(0);   // the model ran; only answers can be unreadable
        (root.GetProperty("unparseable_verdicts").GetInt32() + root.GetProperty("truncated_verdicts").GetInt32()).ShouldBe(root.GetProperty("failures").GetInt32());
        verdicts[0].GetProperty("boxes").GetArrayLength().ShouldBe(1);
        foreach (var key in new[] { "logical_precision", "logical_recall", "grounding_precision", "grounding_recall", "spatial_precision", "spatial_recall" })
            root.GetProperty(key).ValueKind.ShouldBeOneOf(JsonValueKind.Number, JsonValueKind.Null);
    }

    [Fact]
    public async Task Radfact_on_plain_text_splits_one_finding_per_phrase()
    {
        var (exit, json, _) = await Run("No pleural effusion or pneumothorax.", "Small left pleural effusion.", "radfact", Stories(), maxTokens: 120);
        exit.ShouldBe(0);
        var root = Conforms(json!, "radfact", "llm");
        root.GetProperty("candidate_grounded").GetBoolean().ShouldBeFalse();
        root.GetProperty("candidate_phrases").GetInt32().ShouldBe(2);
        root.GetProperty("candidate_verdicts")[1].GetProperty("phrase").GetString().ShouldBe("No pneumothorax.");
    }

    [Fact]
    public async Task Failed_model_calls_are_reported_failed_with_a_null_score()
    {
        // A transport failure cannot be caused with the real model: a client that throws stands in for it.
        Func<string?, IChatClient?> broken = _ => new ThrowingChatClient();
        var (exit, json, _) = await Run(GroundedCandidate, GroundedReference, "radfact", broken);
        exit.ShouldBe(0);
        var root = Conforms(json!, "radfact", "llm");
        root.GetProperty("status").GetString().ShouldBe("failed");
        root.GetProperty("failed_calls").GetInt32().ShouldBe(3);
        root.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null);

        foreach (var method in new[] { "green", "chexprompt" })
        {
            (exit, json, _) = await Run("Effusion.", "Effusion.", method, broken);
            exit.ShouldBe(0);
            root = Conforms(json!, method, "llm");
            root.GetProperty("status").GetString().ShouldBe("failed");
        }
    }

    [Fact]
    public async Task Malformed_grounded_input_is_a_usage_error_naming_the_field()
    {
        var (exit, _, err) = await Run("""{"findings": [{"text": "x", "boxes": [{"x_min": 12, "y_min": 0, "x_max": 300, "y_max": 1}]}]}""", "Effusion.", "radfact", _ => new ThrowingChatClient());
        exit.ShouldBe(2);
        err.ShouldContain("findings[0].boxes[0].x_min");
        (await Run("Effusion.", "Effusion.", "green", null, format: "xml")).Exit.ShouldBe(2);
    }
}
