using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

public sealed class CompleteCommandTests
{
    private static string Corpus(TempDir dir)
    {
        var path = Path.Combine(dir.Path, "site.jsonl");
        File.WriteAllLines(path, [
            "{\"findings\": \"The heart is normal in size. The lungs are clear. No pleural effusion.\"}",
            "{\"findings\": \"The heart is normal in size. The lungs are clear. No pneumothorax.\"}",
        ]);
        return path;
    }

    [Fact]
    public async Task Prints_the_suggestions_contract()
    {
        using var dir = new TempDir();
        var stdout = new StringWriter();
        var exit = await CompleteCommand.RunAsync("The heart is normal in size.", "The l", null, 2, Corpus(dir), "none", stdout, new StringWriter(), TestContext.Current.CancellationToken);
        exit.ShouldBe(0);
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        var first = json.GetProperty("suggestions")[0];
        first.GetProperty("text").GetString().ShouldBe("The lungs are clear.");
        first.GetProperty("score").GetDouble().ShouldBeGreaterThan(0);
        first.GetProperty("source").GetString()!.ShouldStartWith("site:");
    }

    [Fact]
    public async Task Bad_k_exits_2_naming_the_field()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        var exit = await CompleteCommand.RunAsync("", null, null, 0, Corpus(dir), "none", new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("k:");
    }

    [Fact]
    public async Task An_unknown_section_exits_2_naming_the_field()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        var exit = await CompleteCommand.RunAsync("", "No", null, 3, Corpus(dir), "none", new StringWriter(), stderr, TestContext.Current.CancellationToken, section: "conclusion");
        exit.ShouldBe(2);
        stderr.ToString().ShouldStartWith("reportgen complete: section: unknown section 'conclusion'; known: findings, impression");
    }

    [Fact]
    public async Task The_section_chooses_between_a_findings_and_an_impression_sentence()
    {
        using var dir = new TempDir();
        var corpus = Corpus(dir);
        File.AppendAllLines(corpus, ["{\"findings\": \"The heart is normal in size. The lungs are clear.\", \"impression\": \"No acute disease.\"}"]);
        async Task<string> Top(string? section)
        {
            var stdout = new StringWriter();
            (await CompleteCommand.RunAsync("The heart is normal in size. The lungs are clear.", "No", null, 1, corpus, "none", stdout, new StringWriter(), TestContext.Current.CancellationToken, section)).ShouldBe(0);
            return JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("suggestions")[0].GetProperty("text").GetString()!;
        }
        (await Top("IMPRESSION")).ShouldBe("No acute disease.");
        (await Top("findings")).ShouldNotBe("No acute disease.");
    }

    [Fact]
    public async Task Eval_leaves_the_evaluated_reports_out_of_the_corpus_fold_by_fold()
    {
        using var dir = new TempDir();
        // The evaluated file is also the corpus: with two folds each report is answered from the other one only.
        var data = Path.Combine(dir.Path, "val.jsonl");
        File.WriteAllLines(data, [
            "{\"id\": \"a\", \"findings\": \"The heart is normal in size. The lungs are clear.\", \"impression\": \"No acute disease.\"}",
            "{\"id\": \"b\", \"findings\": \"The heart is normal in size. The lungs are clear.\", \"impression\": \"No acute cardiopulmonary abnormality.\"}",
        ]);
        var outDir = Path.Combine(dir.Path, "out");
        var stdout = new StringWriter();
        (await EvalCompleteCommand.RunAsync(data, outDir, data, "none", new CompletionEvalOptions { Folds = 2 }, stdout, new StringWriter(), TestContext.Current.CancellationToken)).ShouldBe(0);
        stdout.ToString().ShouldContain("(2 evaluated reports left out of the corpus)");
        stdout.ToString().ShouldContain("impression BLEU-4");
        var predictions = File.ReadAllLines(Path.Combine(outDir, "predictions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var impressions = predictions.Where(p => p.GetProperty("section").GetString() == "impression").ToList();
        impressions.Count.ShouldBe(2);
        // Each impression comes from the other report, never its own.
        impressions.Single(p => p.GetProperty("id").GetString() == "a").GetProperty("hypothesis").GetString().ShouldBe("No acute cardiopulmonary abnormality.");
        impressions.Single(p => p.GetProperty("id").GetString() == "b").GetProperty("hypothesis").GetString().ShouldBe("No acute disease.");
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))).RootElement;
        results.GetProperty("corpus_reports_left_out").GetInt32().ShouldBe(2);
        results.GetProperty("sections").GetProperty("findings").GetProperty("sentences").GetInt32().ShouldBe(4);
        results.GetProperty("sections").GetProperty("impression").GetProperty("bleu_4").GetDouble().ShouldBe(0, 1e-9);

        // One fold: every report is left out, so nothing remains to answer from.
        (await EvalCompleteCommand.RunAsync(data, outDir, data, "none", new CompletionEvalOptions(), new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken)).ShouldBe(0);
        File.ReadAllLines(Path.Combine(outDir, "predictions.jsonl")).ShouldAllBe(l => l.Contains("\"source\":null"));
    }

    [Fact]
    public async Task Eval_writes_results_json_with_the_metrics_object()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "val.jsonl");
        File.WriteAllText(data, "{\"id\": \"r1\", \"findings\": \"The heart is normal in size. The lungs are clear.\", \"impression\": \"No pneumothorax.\"}\n");
        var outDir = Path.Combine(dir.Path, "out");
        // A third report makes "No pneumothorax." the corpus's answer after the first two sentences, not a tie.
        var corpus = Corpus(dir);
        File.AppendAllLines(corpus, ["{\"findings\": \"The heart is normal in size. The lungs are clear. No pneumothorax.\"}"]);
        var exit = await EvalCompleteCommand.RunAsync(data, outDir, corpus, "none", new CompletionEvalOptions(), new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken);
        exit.ShouldBe(0);
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))).RootElement.GetProperty("metrics");
        // One name per metric, the same in every suite.
        metrics.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["bleu_1", "bleu_2", "bleu_3", "bleu_4", "cider_d", "latency_p50_ms", "latency_p95_ms", "rouge_l"]);
        // Three sentences, each predicted exactly from a corpus that contains them: ROUGE-L is 1.
        metrics.GetProperty("rouge_l").GetDouble().ShouldBe(1.0, 1e-9);
        File.ReadAllText(Path.Combine(outDir, "report.html")).ShouldContain("rouge_l");
        File.ReadAllLines(Path.Combine(outDir, "predictions.jsonl")).Length.ShouldBe(3);
    }

    [Fact]
    public async Task Eval_oracle_scores_the_best_of_the_top_d_without_changing_the_suggestion()
    {
        using var dir = new TempDir();
        var corpus = Corpus(dir);
        // "No pleural effusion." is now the commoner ending, so it is the top suggestion and "No pneumothorax." second.
        File.AppendAllLines(corpus, ["{\"findings\": \"The heart is normal in size. The lungs are clear. No pleural effusion.\"}"]);
        var data = Path.Combine(dir.Path, "val.jsonl");
        File.WriteAllText(data, "{\"id\": \"r1\", \"findings\": \"The heart is normal in size. The lungs are clear. No pneumothorax.\"}\n");
        var plain = Path.Combine(dir.Path, "plain");
        var withOracle = Path.Combine(dir.Path, "oracle");
        var ct = TestContext.Current.CancellationToken;
        (await EvalCompleteCommand.RunAsync(data, plain, corpus, "none", new CompletionEvalOptions(), new StringWriter(), new StringWriter(), ct)).ShouldBe(0);
        var stdout = new StringWriter();
        (await EvalCompleteCommand.RunAsync(data, withOracle, corpus, "none", new CompletionEvalOptions { OracleDepth = 2 }, stdout, new StringWriter(), ct)).ShouldBe(0);

        // Asking for more suggestions changes no top suggestion, so no figure of the product.
        File.ReadAllLines(Path.Combine(withOracle, "predictions.jsonl")).Select(Hypothesis).ShouldBe(File.ReadAllLines(Path.Combine(plain, "predictions.jsonl")).Select(Hypothesis));
        File.ReadAllLines(Path.Combine(plain, "predictions.jsonl")).Select(Hypothesis).Last().ShouldBe("No pleural effusion.");
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(withOracle, "results.json"))).RootElement;
        var bleu = results.GetProperty("oracle").GetProperty("bleu_4");
        bleu.GetProperty("1").GetDouble().ShouldBe(Math.Round(results.GetProperty("metrics").GetProperty("bleu_4").GetDouble(), 4));
        // Every reference sentence is among the top two: the best of two is the reference itself.
        bleu.GetProperty("2").GetDouble().ShouldBe(1.0, 1e-9);
        bleu.GetProperty("1").GetDouble().ShouldBeLessThan(0.9);
        // The top suggestion is the reference for the first two sentences, not the third.
        var exact = results.GetProperty("oracle").GetProperty("exact");
        exact.GetProperty("1").GetDouble().ShouldBe(Math.Round(2.0 / 3, 4));
        exact.GetProperty("2").GetDouble().ShouldBe(1.0);
        stdout.ToString().ShouldContain("d=2 1.0000 / 1.000");
        JsonDocument.Parse(File.ReadAllText(Path.Combine(plain, "results.json"))).RootElement.TryGetProperty("oracle", out _).ShouldBeFalse();

        var stderr = new StringWriter();
        (await EvalCompleteCommand.RunAsync(data, withOracle, corpus, "none", new CompletionEvalOptions { OracleDepth = 21 }, new StringWriter(), stderr, ct)).ShouldBe(2);
        stderr.ToString().ShouldContain("--oracle: must be between 2 and 20");

        static string Hypothesis(string line) => JsonDocument.Parse(line).RootElement.GetProperty("hypothesis").GetString()!;
    }

    [Fact]
    public async Task A_model_reranks_and_eval_reports_retrieval_only_beside_it()
    {
        var model = SharedData.Model("iu-xray-tiny-llama.gguf");
        // Tests always decode on one thread (ggml threads spin on this shared machine).
        Environment.SetEnvironmentVariable("REPORTGEN_LLM_THREADS", "1");
        using var dir = new TempDir();
        var stdout = new StringWriter();
        var exit = await CompleteCommand.RunAsync("The heart is normal in size. The lungs are clear.", "No ", null, 3, Corpus(dir), model, stdout, new StringWriter(), TestContext.Current.CancellationToken);
        exit.ShouldBe(0);
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        json.GetProperty("reranked").GetBoolean().ShouldBeTrue();
        json.GetProperty("suggestions").EnumerateArray().ShouldAllBe(s => s.GetProperty("text").GetString()!.StartsWith("No "));

        var data = Path.Combine(dir.Path, "val.jsonl");
        File.WriteAllText(data, "{\"id\": \"r1\", \"findings\": \"The heart is normal in size. The lungs are clear.\", \"impression\": \"No pneumothorax.\"}\n");
        var outDir = Path.Combine(dir.Path, "out");
        (await EvalCompleteCommand.RunAsync(data, outDir, Corpus(dir), model, new CompletionEvalOptions(), new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken)).ShouldBe(0);
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))).RootElement;
        results.GetProperty("reranked").GetBoolean().ShouldBeTrue();
        results.GetProperty("setup").GetProperty("retrieval_only").GetProperty("bleu_4").GetDouble().ShouldBeGreaterThan(0);
        results.GetProperty("setup").GetProperty("model_weight").GetDouble().ShouldBe(2.0);

        // An oracle deeper than the re-ranked candidates would make the model re-rank more of them: refused.
        var stderr = new StringWriter();
        (await EvalCompleteCommand.RunAsync(data, outDir, Corpus(dir), model, new CompletionEvalOptions { OracleDepth = 9 }, new StringWriter(), stderr, TestContext.Current.CancellationToken)).ShouldBe(2);
        stderr.ToString().ShouldContain("--oracle: with a model at most --candidates (8)");
    }

    [Fact]
    public async Task An_unknown_model_exits_2_naming_the_field()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        var exit = await CompleteCommand.RunAsync("", "No ", null, 3, Corpus(dir), "no-such-model", new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("model:");
    }
}
