using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>A GBNF grammar (llama.cpp grammars/README.md) that output must match.</summary>
/// <param name="Text">The rules.</param>
/// <param name="Root">The start rule.</param>
public sealed record GbnfGrammar(string Text, string Root = "root");

/// <summary>
/// How the next token is chosen. <see cref="Temperature"/> ≤ 0 is greedy (argmax); otherwise the chain is
/// repetition penalty → top-k → top-p → min-p → temperature → seeded random draw. A grammar, when given,
/// masks tokens first.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Greedy decoding: deterministic, the default.</summary>
    public static SamplingOptions Greedy { get; } = new();

    /// <summary>Softmax temperature; 0 (default) = greedy.</summary>
    public float Temperature { get; init; }
    /// <summary>Keep the k most likely tokens (≤ 0 disables).</summary>
    public int TopK { get; init; } = 40;
    /// <summary>Nucleus sampling mass (1 disables).</summary>
    public float TopP { get; init; } = 0.95f;
    /// <summary>Drop tokens below this fraction of the best token's probability (0 disables).</summary>
    public float MinP { get; init; } = 0.05f;
    /// <summary>Repetition penalty (1 disables).</summary>
    public float RepeatPenalty { get; init; } = 1.0f;
    /// <summary>How many recent tokens the penalty looks at.</summary>
    public int RepeatLastN { get; init; } = 64;
    /// <summary>Seed of the random draw; null = random.</summary>
    public uint? Seed { get; init; }
    /// <summary>Constrains the output to a grammar.</summary>
    public GbnfGrammar? Grammar { get; init; }
    /// <summary>
    /// Never pick an end-of-generation token, so generation runs to its token limit (llama.cpp server's
    /// <c>ignore_eos</c>: fixed-length benchmarks). Not with a <see cref="Grammar"/>, whose finished document can only
    /// be followed by end-of-generation.
    /// </summary>
    public bool IgnoreEndOfGeneration { get; init; }

    /// <summary>Builds the native sampler chain for one sequence.</summary>
    /// <exception cref="ArgumentException">A parameter is out of range, or the grammar does not parse.</exception>
    internal SafeLlamaSamplerHandle CreateChain(LlamaModel model)
    {
        if (float.IsNaN(Temperature) || Temperature < 0) throw new ArgumentException("Temperature must be >= 0", nameof(Temperature));
        if (TopP is <= 0 or > 1) throw new ArgumentException("TopP must be in (0, 1]", nameof(TopP));
        if (MinP is < 0 or > 1) throw new ArgumentException("MinP must be in [0, 1]", nameof(MinP));
        if (RepeatPenalty <= 0) throw new ArgumentException("RepeatPenalty must be > 0", nameof(RepeatPenalty));

        LlamaLibrary.EnsureInitialised();
        var chainParams = LlamaNative.llama_sampler_chain_default_params();
        chainParams.NoPerf = 1;
        var chain = new SafeLlamaSamplerHandle(LlamaNative.llama_sampler_chain_init(chainParams));
        try
        {
            if (IgnoreEndOfGeneration && Grammar is not null) throw new ArgumentException("IgnoreEndOfGeneration cannot be combined with a grammar", nameof(IgnoreEndOfGeneration));
            if (IgnoreEndOfGeneration) LlamaNative.llama_sampler_chain_add(chain, CreateEndOfGenerationBan(model));
            if (Grammar is { } g) LlamaNative.llama_sampler_chain_add(chain, CreateGrammar(model, g));
            if (RepeatPenalty != 1.0f && RepeatLastN != 0)
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_penalties(model.VocabSize, RepeatLastN, RepeatPenalty, 0f, 0f));
            if (Temperature <= 0)
            {
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_greedy());
            }
            else
            {
                if (TopK > 0) LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_top_k(TopK));
                if (TopP < 1) LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_top_p(TopP, 1));
                if (MinP > 0) LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_min_p(MinP, 1));
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_temp(Temperature));
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_dist(Seed ?? 0xFFFFFFFF));
            }
            return chain;
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }

    // A logit bias of -inf on every end-of-generation token (what llama.cpp's server does for ignore_eos).
    private static unsafe IntPtr CreateEndOfGenerationBan(LlamaModel model)
    {
        var tokens = model.EndOfGenerationTokens;
        var biases = new LlamaLogitBias[tokens.Count];
        for (var i = 0; i < biases.Length; i++) biases[i] = new LlamaLogitBias { Token = tokens[i], Bias = float.NegativeInfinity };
        fixed (LlamaLogitBias* p = biases) return LlamaNative.llama_sampler_init_logit_bias(model.VocabSize, biases.Length, p);
    }

    private static IntPtr CreateGrammar(LlamaModel model, GbnfGrammar grammar)
    {
        if (string.IsNullOrWhiteSpace(grammar.Text)) throw new ArgumentException("the GBNF grammar is empty", nameof(Grammar));
        var sampler = LlamaLog.CaptureErrors(() => LlamaNative.llama_sampler_init_grammar(model.Vocab, grammar.Text, grammar.Root), out var errors);
        if (sampler == IntPtr.Zero)
            throw new ArgumentException($"the GBNF grammar does not parse (root rule '{grammar.Root}'): {(errors.Length > 0 ? errors : "llama.cpp gave no reason")}", nameof(Grammar));
        return sampler;
    }
}
