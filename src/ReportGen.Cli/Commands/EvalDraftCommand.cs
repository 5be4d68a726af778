using System.CommandLine;
using ReportGen.Core.Models;
using ReportGen.Eval.Reporting;
using ReportGen.Eval.Suites;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Onnx;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval draft --data FILE.jsonl --out DIR [--model SET] [--grounded] [--max-tokens N]</c>: drafts every
/// image–report pair with the model set and scores the drafts against the reference findings (BLEU, ROUGE-L,
/// CIDEr-D, CheXpert F1 from the rules labeler, RadGraph F1 from rules structuring, the rules judge); writes
/// DIR/results.json (top-level <c>metrics</c>) and DIR/report.html. See eval/drafting.md.
/// </summary>
internal static class EvalDraftCommand
{
    private const string Verb = "reportgen eval draft";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Image–report pairs (JSONL: id, image, lateral?, indication?, findings)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for results.json and report.html", Required = true };
        var model = new Option<string?>("--model") { Description = "Model set id from models.json (default: the first cxr set)" };
        var grounded = new Option<bool>("--grounded") { Description = "Draft in grounded mode" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Max tokens per draft", DefaultValueFactory = _ => 120 };
        var command = new Command("draft", "Evaluate drafting on image–report pairs: text overlap, CheXpert F1, RadGraph F1, rules judge") { data, output, model, grounded, maxTokens };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(model), parse.GetValue(grounded), parse.GetValue(maxTokens),
            null, null, Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(string data, string outDir, string? model, bool grounded, int maxTokens, int? threads, ModelResolver? resolver,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(data)) return Fail(stderr, 2, $"--data: file not found: {data}");
        IReadOnlyList<DraftingPair> pairs;
        try
        {
            pairs = DraftingSuite.LoadPairs(data);
            foreach (var p in pairs) Study(p, grounded, maxTokens);   // bad images and options fail before the models load
        }
        catch (InvalidDataException e)
        {
            return Fail(stderr, 2, $"--data: {e.Message}");
        }
        catch (DraftInputException e)
        {
            return Fail(stderr, 2, e.Message);
        }

        try
        {
            using var engine = DraftEngine.Open(resolver, model, "cxr", threads, stderr);
            Task<DraftResult> Draft(DraftingPair pair, CancellationToken ct) =>
                engine.Service.DraftAsync(Study(pair, grounded, maxTokens).ToRequest(engine.View), ct);
            var options = new DraftingSuiteOptions
            {
                ModelSetId = engine.SetId ?? engine.LlmId,
                Models = engine.Models.Select(m => new ModelRecord(m.Id, null, m.Sha256, null)).ToList(),
                PromptsFolder = engine.Prompts.Folder,
            };
            var progress = new LineProgress(done => stderr.WriteLine($"{Verb}: {done}/{pairs.Count} drafted"));
            var written = await DraftingSuite.RunAsync(data, outDir, Draft, options, progress, cancellationToken).ConfigureAwait(false);
            await stdout.WriteLineAsync($"draft: {pairs.Count} pairs with {options.ModelSetId} -> {written.ResultsJson}, {written.ReportHtml}").ConfigureAwait(false);
            return 0;
        }
        catch (DraftInputException e)
        {
            return Fail(stderr, 2, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or KeyNotFoundException or LlamaException
                                      or OnnxRuntimeException or DllNotFoundException or NotSupportedException or ImageDecodeException)
        {
            return Fail(stderr, 1, e.Message);
        }
    }

    // One pair through the draft front door (its images are decoded there, once per draft).
    // Errors name the pair and its JSONL field ("image" holds the frontal image).
    private static DraftStudy Study(DraftingPair pair, bool grounded, int maxTokens) => DraftInputs.BuilderFor(
        field => $"--data: pair {pair.Id}: {(field == "frontal" ? "image" : field == "max_tokens" ? "--max-tokens" : field)}").Build(new DraftStudyInput
    {
        Frontal = new DraftStudyFile(File.ReadAllBytes(pair.Image), Path.GetFileName(pair.Image)),
        Lateral = pair.Lateral is null ? null : new DraftStudyFile(File.ReadAllBytes(pair.Lateral), Path.GetFileName(pair.Lateral)),
        Indication = pair.Indication, Technique = pair.Technique, Comparison = pair.Comparison, Grounded = grounded, MaxTokens = maxTokens,
    });

    /// <summary>Reports synchronously, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class LineProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    private static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"{Verb}: {message.Split('\n')[0].Trim()}");
        return code;
    }
}
