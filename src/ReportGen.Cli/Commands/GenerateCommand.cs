using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Json;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Llama.Grammar;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen generate --model FILE_OR_ID --prompt TEXT [--max-tokens N] [--temperature T] [--seed S] [--json-schema FILE]</c>:
/// streams the generated text to stdout and nothing else (with <c>--json-schema</c> that text is the JSON
/// document); llama.cpp's own log and all messages go to stderr. The prompt goes through the model's chat
/// template when it has one (<c>--raw</c> skips it). With <c>--mmproj FILE --image F</c> the images go through llama.cpp's
/// multimodal library (one media marker per image is put before the prompt unless the prompt has them);
/// <c>--tokens-out</c> writes the generated token ids and <c>--embeddings-out</c> the image embeddings (float32 little
/// endian, rows of the LLM's input embedding size), what a parity check against <c>llama-mtmd-cli</c> compares.
/// Exit 0 ok, 1 runtime failure (including a JSON document cut off
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
        var chatTemplate = new Option<string?>("--chat-template")
        {
            Description = "A chat template (Jinja source or one of llama.cpp's named templates, e.g. vicuna, chatml) instead of the GGUF's",
        };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all processors)", DefaultValueFactory = _ => 0 };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "Layers to offload to the GPU with the CUDA build (-1 = all); 0 = CPU (default)", DefaultValueFactory = _ => 0 };
        var contextSize = new Option<int>("--ctx-size") { Description = "KV-cache size in tokens (0 = the model's training context, at most 4096)", DefaultValueFactory = _ => 0 };
        var verbose = new Option<bool>("--verbose") { Description = "Show llama.cpp's load information on stderr" };
        var mmproj = new Option<string?>("--mmproj") { Description = "An mmproj GGUF (vision projector for llama.cpp's multimodal library) for --image" };
        var images = new Option<string[]>("--image") { Description = "Image file(s) (PNG, JPEG, DICOM) for the mmproj; repeat for several", AllowMultipleArgumentsPerToken = false };
        var tokensOut = new Option<string?>("--tokens-out") { Description = "Write the generated token ids here, one per line" };
        var embeddingsOut = new Option<string?>("--embeddings-out") { Description = "Write the image embeddings here (float32 little endian, rows of the LLM's input embedding size, images in order)" };
        var command = new Command("generate", "Generate text with a GGUF model (text only on stdout)")
        {
            model, prompt, maxTokens, temperature, seed, schema, raw, chatTemplate, threads, gpuLayers, contextSize, verbose, mmproj, images, tokensOut, embeddingsOut,
        };
        command.SetAction((parse, ct) => RunAsync(new GenerateArguments(parse.GetValue(model)!, parse.GetValue(prompt)!, parse.GetValue(maxTokens),
            parse.GetValue(temperature), parse.GetValue(seed), parse.GetValue(schema), parse.GetValue(raw), parse.GetValue(threads),
            parse.GetValue(gpuLayers), parse.GetValue(contextSize), parse.GetValue(verbose))
        {
            Mmproj = parse.GetValue(mmproj), Images = parse.GetValue(images) ?? [], TokensOut = parse.GetValue(tokensOut), EmbeddingsOut = parse.GetValue(embeddingsOut),
            ChatTemplate = parse.GetValue(chatTemplate),
        }, Console.Out, Console.Error, ct));
        return command;
    }

    internal sealed record GenerateArguments(string Model, string Prompt, int MaxTokens = 256, float Temperature = 0, uint? Seed = null,
        string? JsonSchema = null, bool Raw = false, int Threads = 0, int GpuLayers = 0, int ContextSize = 0, bool Verbose = false)
    {
        /// <summary>An mmproj GGUF (file or manifest id) for <see cref="Images"/>.</summary>
        public string? Mmproj { get; init; }
        public IReadOnlyList<string> Images { get; init; } = [];
        public string? TokensOut { get; init; }
        public string? EmbeddingsOut { get; init; }
        /// <summary>A chat template (source or llama.cpp's name) that replaces the GGUF's; null = the GGUF's.</summary>
        public string? ChatTemplate { get; init; }
    }

    internal static async Task<int> RunAsync(GenerateArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        const string Me = "reportgen generate";
        if (a.MaxTokens < 1) return await Fail(stderr, 2, "--max-tokens must be at least 1").ConfigureAwait(false);
        if (a.Raw && a.ChatTemplate is not null) return await Fail(stderr, 2, "--raw and --chat-template exclude each other").ConfigureAwait(false);
        if (a.Temperature < 0) return await Fail(stderr, 2, "--temperature must be >= 0").ConfigureAwait(false);
        if (string.IsNullOrEmpty(a.Prompt)) return await Fail(stderr, 2, "--prompt is empty").ConfigureAwait(false);
        if (a.Images.Count > 0 && a.Mmproj is null) return await Fail(stderr, 2, "--image needs --mmproj (a vision projector for the model)").ConfigureAwait(false);
        if (a.Images.FirstOrDefault(i => !File.Exists(i)) is { } missing) return await Fail(stderr, 2, $"--image: file not found: {missing}").ConfigureAwait(false);

        string path;
        string? mmprojPath = null;
        try
        {
            path = ResolveModel(a.Model);
            if (a.Mmproj is { } mm) mmprojPath = ResolveModel(mm);
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

        // llama.cpp logs through LlamaLog, routed once at start-up to stderr lines (Program.cs); stdout carries only
        // the generated text. --verbose lowers the level for this process.
        if (a.Verbose) LlamaLog.MinimumLevel = LlamaLogLevel.Info;
        try
        {
            using var model = await LlamaModel.LoadAsync(path, new LlamaModelOptions { GpuLayers = a.GpuLayers, ChatTemplate = a.ChatTemplate }, null, cancellationToken).ConfigureAwait(false);
            using var projector = mmprojPath is null ? null : MultimodalProjector.Load(model, mmprojPath, new MultimodalProjectorOptions { Threads = a.Threads });
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
            if (projector is not null)
            {
                prompt = MultimodalPrompt(a, model, projector, scheduler.SequenceContextSize, cancellationToken);
                if (a.EmbeddingsOut is { } embeddingsFile) await WriteEmbeddings(embeddingsFile, prompt, stderr).ConfigureAwait(false);
            }
            else if (!a.Raw)
            {
                var client = new LlamaChatClient(scheduler);
                (prompt, var templated) = await client.PrepareAsync([new ChatMessage(ChatRole.User, a.Prompt)], null, cancellationToken).ConfigureAwait(false);
                generation = generation with { AddSpecialTokens = templated.AddSpecialTokens, ParseSpecialTokens = templated.ParseSpecialTokens };
            }
            var result = await StreamAsync(scheduler.Submit(prompt, generation, cancellationToken), stdout, cancellationToken).ConfigureAwait(false);
            if (a.TokensOut is { } tokensFile)
                await File.WriteAllLinesAsync(tokensFile, result.Tokens.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
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
            return await Fail(stderr, 2, ex.Message.Split(" (Parameter", 2)[0]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MultimodalProjectorException or ImageDecodeException)
        {
            return await Fail(stderr, 2, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LlamaException or NotSupportedException or DllNotFoundException)
        {
            return await Fail(stderr, 1, ex.Message).ConfigureAwait(false);
        }

        static async Task<int> Fail(TextWriter stderr, int code, string message)
        {
            await stderr.WriteLineAsync($"{Me}: {message}").ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>
    /// The prompt with its images: as llama-mtmd-cli does, one marker per image goes first unless the prompt places
    /// them; the chat template wraps it unless --raw; BOS is added only when the template did not write it.
    /// </summary>
    private static LlamaPrompt MultimodalPrompt(GenerateArguments a, LlamaModel model, MultimodalProjector projector, int contextSize, CancellationToken cancellationToken)
    {
        var text = a.Prompt.Contains(projector.Marker, StringComparison.Ordinal)
            ? a.Prompt
            : string.Concat(Enumerable.Repeat(projector.Marker, a.Images.Count)) + a.Prompt;
        var decoder = new RgbImageDecoder();
        var pictures = a.Images.Select(f => decoder.Decode(File.ReadAllBytes(f), null)).ToArray();
        if (!a.Raw)
        {
            var turn = new LlamaChatTurn("user", text);
            text = model.ApplyChatTemplate([turn], addAssistantPrefix: true);
        }
        var bos = model.BosToken >= 0 ? System.Text.Encoding.UTF8.GetString(model.TokenToBytes(model.BosToken, renderSpecial: true)) : "";
        return projector.Tokenize(text, pictures, addSpecial: bos.Length == 0 || !text.StartsWith(bos, StringComparison.Ordinal),
            parseSpecial: true, contextSize, cancellationToken);
    }

    /// <summary>Writes each piece to stdout as it arrives (flushed, so a pipe sees it at once), then ends the line if the text did not.</summary>
    private static async Task<GenerationResult> StreamAsync(SequenceRequest request, TextWriter stdout, CancellationToken cancellationToken)
    {
        var ended = false;
        await foreach (var piece in request.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            await stdout.WriteAsync(piece).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            ended = piece.EndsWith('\n');
        }
        var result = await request.Completion.ConfigureAwait(false);
        if (!ended) await stdout.WriteLineAsync().ConfigureAwait(false);
        return result;
    }

    private static async Task WriteEmbeddings(string file, LlamaPrompt prompt, TextWriter stderr)
    {
        var blocks = prompt.Parts.OfType<EmbeddingPart>().Select(p => p.Embeddings).ToArray();
        await using var output = File.Create(file);
        foreach (var block in blocks) await output.WriteAsync(System.Runtime.InteropServices.MemoryMarshal.AsBytes(block.Values.AsSpan()).ToArray()).ConfigureAwait(false);
        await stderr.WriteLineAsync($"reportgen generate: wrote {blocks.Sum(b => b.Tokens)} embedding rows of {blocks.FirstOrDefault()?.Dimension ?? 0} floats to {file}").ConfigureAwait(false);
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
