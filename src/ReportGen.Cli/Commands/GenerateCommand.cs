using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Json;
using ReportGen.Core.Models;
using ReportGen.Llama;
using ReportGen.Llama.Grammar;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen generate --model FILE_OR_ID --prompt TEXT [--max-tokens N] [--temperature T] [--seed S] [--json-schema FILE]</c>:
/// streams the generated text to stdout and nothing else (with <c>--json-schema</c> that text is the JSON
/// document); llama.cpp's own log and all messages go to stderr. The prompt goes through the model's chat
/// template when it has one (<c>--raw</c> skips it). Exit 0 ok, 1 runtime failure (including a JSON document cut off
/// by <c>--max-tokens</c>: what was written is incomplete), 2 bad input. The JSON is written compactly (no whitespace
/// between tokens) so the token budget goes to content.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "A GGUF file, or a model id from models/models.json", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "The prompt text", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate", DefaultValueFactory = _ => 256 };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default)", DefaultValueFactory = _ => 0f };
        var seed = new Option<uint?>("--seed") { Description = "Seed for sampling at temperature > 0" };
        var schema = new Option<string?>("--json-schema") { Description = "A JSON Schema file: the output is JSON that validates against it" };
        var raw = new Option<bool>("--raw") { Description = "Do not apply the model's chat template" };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all processors)", DefaultValueFactory = _ => 0 };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "Layers to offload to the GPU with the CUDA build (-1 = all); 0 = CPU (default)", DefaultValueFactory = _ => 0 };
        var contextSize = new Option<int>("--ctx-size") { Description = "KV-cache size in tokens (0 = the model's training context, at most 4096)", DefaultValueFactory = _ => 0 };
        var verbose = new Option<bool>("--verbose") { Description = "Show llama.cpp's load information on stderr" };
        var command = new Command("generate", "Generate text with a GGUF model (text only on stdout)")
        {
            model, prompt, maxTokens, temperature, seed, schema, raw, threads, gpuLayers, contextSize, verbose,
        };
        command.SetAction((parse, ct) => RunAsync(new GenerateArguments(parse.GetValue(model)!, parse.GetValue(prompt)!, parse.GetValue(maxTokens),
            parse.GetValue(temperature), parse.GetValue(seed), parse.GetValue(schema), parse.GetValue(raw), parse.GetValue(threads),
            parse.GetValue(gpuLayers), parse.GetValue(contextSize), parse.GetValue(verbose)), Console.Out, Console.Error, ct));
        return command;
    }

    internal sealed record GenerateArguments(string Model, string Prompt, int MaxTokens = 256, float Temperature = 0, uint? Seed = null,
        string? JsonSchema = null, bool Raw = false, int Threads = 0, int GpuLayers = 0, int ContextSize = 0, bool Verbose = false);

    internal static async Task<int> RunAsync(GenerateArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        const string Me = "reportgen generate";
        if (a.MaxTokens < 1) return await Fail(stderr, 2, "--max-tokens must be at least 1").ConfigureAwait(false);
        if (a.Temperature < 0) return await Fail(stderr, 2, "--temperature must be >= 0").ConfigureAwait(false);
        if (string.IsNullOrEmpty(a.Prompt)) return await Fail(stderr, 2, "--prompt is empty").ConfigureAwait(false);

        string path;
        try
        {
            path = ResolveModel(a.Model);
        }
        catch (KeyNotFoundException ex) { return await Fail(stderr, 2, ex.Message).ConfigureAwait(false); }
        catch (FileNotFoundException ex) { return await Fail(stderr, 1, ex.Message).ConfigureAwait(false); }
        catch (InvalidDataException ex) { return await Fail(stderr, 1, ex.Message).ConfigureAwait(false); }

        GbnfGrammar? grammar = null;
        if (a.JsonSchema is { } schemaFile)
        {
            try
            {
                grammar = new GbnfGrammar(JsonSchemaToGbnf.Convert(await File.ReadAllTextAsync(schemaFile, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
            {
                return await Fail(stderr, 2, $"--json-schema {Path.GetFileName(schemaFile)}: {ex.Message}").ConfigureAwait(false);
            }
        }

        // llama.cpp writes through our log sink (stderr); stdout carries only the generated text.
        LlamaLog.Sink = (_, line) => stderr.WriteLine("llama.cpp: " + line);
        if (a.Verbose) LlamaLog.MinimumLevel = LlamaLogLevel.Info;
        try
        {
            using var model = await LlamaModel.LoadAsync(path, new LlamaModelOptions { GpuLayers = a.GpuLayers }, null, cancellationToken).ConfigureAwait(false);
            await using var scheduler = new SequenceScheduler(model, new SchedulerOptions
            {
                Context = new LlamaContextOptions
                {
                    ContextSize = a.ContextSize > 0 ? a.ContextSize : Math.Min(model.TrainContextLength, 4096),
                    Sequences = 1,
                    Threads = a.Threads,
                },
                QueueCapacity = 1,
            });
            var generation = new GenerationOptions
            {
                MaxTokens = a.MaxTokens,
                Sampling = new SamplingOptions { Temperature = a.Temperature, Seed = a.Seed, Grammar = grammar },
            };
            LlamaPrompt prompt = a.Prompt;
            if (!a.Raw)
            {
                var client = new LlamaChatClient(scheduler);
                (prompt, var templated) = await client.PrepareAsync([new ChatMessage(ChatRole.User, a.Prompt)], null, cancellationToken).ConfigureAwait(false);
                generation = generation with { AddSpecialTokens = templated.AddSpecialTokens, ParseSpecialTokens = templated.ParseSpecialTokens };
            }
            var ended = false;
            var request = scheduler.Submit(prompt, generation, cancellationToken);
            await foreach (var piece in request.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
            {
                await stdout.WriteAsync(piece).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                ended = piece.EndsWith('\n');
            }
            var result = await request.Completion.ConfigureAwait(false);
            if (!ended) await stdout.WriteLineAsync().ConfigureAwait(false);
            if (grammar is not null && ConstrainedOutput.IsCutOff(result.FinishReason == LlamaFinishReason.Length, result.Text))
                return await Fail(stderr, 1, $"the JSON document was cut off at --max-tokens {a.MaxTokens} (the output is incomplete; raise --max-tokens)").ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync($"{Me}: cancelled").ConfigureAwait(false);
            return 1;
        }
        catch (ArgumentException ex)
        {
            return await Fail(stderr, 2, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LlamaException or NotSupportedException or DllNotFoundException)
        {
            return await Fail(stderr, 1, ex.Message).ConfigureAwait(false);
        }
        finally
        {
            LlamaLog.Sink = (_, line) => Console.Error.WriteLine("llama.cpp: " + line);
        }

        static async Task<int> Fail(TextWriter stderr, int code, string message)
        {
            await stderr.WriteLineAsync($"{Me}: {message}").ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>A path to an existing file is used as is; anything else is a model id resolved through the manifest.</summary>
    private static string ResolveModel(string fileOrId)
    {
        if (File.Exists(fileOrId)) return fileOrId;
        if (fileOrId.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || fileOrId.Contains('/'))
            throw new KeyNotFoundException($"model file not found: {fileOrId}");
        var manifestPath = ModelManifest.DefaultPath() ?? throw new KeyNotFoundException($"'{fileOrId}' is not a file and no models/models.json was found (set REPORTGEN_MANIFEST)");
        var manifest = ModelManifest.Load(manifestPath);
        return ModelResolver.CreateDefault(manifest).RequirePath(fileOrId);
    }
}
