using ReportGen.Eval.Reporting;

namespace ReportGen.Eval.Bench;

/// <summary>What <see cref="ServeBenchmark.RunAsync"/> runs.</summary>
/// <param name="Concurrencies">Client counts, one load level each (1, 4, 8, 16).</param>
/// <param name="RequestsPerClient">Requests per client at each level (the bound on the run's length).</param>
/// <param name="MaxTokens">Generated tokens per request (ignore_eos, so every request is this long).</param>
/// <param name="PromptCacheCheck">Also run llama-server with <c>cache_prompt: false</c> at each level: what its reuse of a shared prefix is worth.</param>
/// <param name="Rounds">Times each level is run on every server, alternating with the others; the ratios' median and spread then say how far one run can be trusted.</param>
public sealed record ServeBenchSettings(IReadOnlyList<int> Concurrencies, int RequestsPerClient, int MaxTokens, bool PromptCacheCheck = false, int Rounds = 1);

/// <summary>One round of one load level against both servers (and llama-server without prompt caching when asked).</summary>
public sealed record ServeBenchRow(int Concurrency, ServeLoadResult Ours, ServeLoadResult Theirs, ServeLoadResult? TheirsNoCache, string? LoadAverage, int Round = 0)
{
    /// <summary>Ours ÷ llama-server aggregate generated tokens/s (target ≥ 1).</summary>
    public double ThroughputRatio => Ours.TokensPerSecond / Theirs.TokensPerSecond;

    /// <summary>
    /// Time to first token of the requests that both servers timed, paired by request index (the same prompt at the same
    /// point of the run). llama-server sends nothing for a first token that ends in incomplete UTF-8, so on a generated
    /// model only some of its requests can be timed, and often only the one whose prompt was cached: p95s over
    /// different requests would compare a cache hit with a full prefill.
    /// </summary>
    public (LatencyStats Ours, LatencyStats Theirs) PairedFirstToken
    {
        get
        {
            var pairs = Ours.FirstTokenByRequest.Zip(Theirs.FirstTokenByRequest).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
            return (LatencyStats.From(pairs.Select(p => p.First)), LatencyStats.From(pairs.Select(p => p.Second)));
        }
    }

    /// <summary>Ours ÷ llama-server time-to-first-token p95 over <see cref="PairedFirstToken"/> (target ≤ 1); NaN when no request was timed by both.</summary>
    public double FirstTokenP95Ratio => PairedFirstToken is ({ Count: > 0 } a, { Count: > 0 } b) ? a.P95Ms / b.P95Ms : double.NaN;

    /// <summary>Ours ÷ llama-server inter-token latency p95 (lower is better).</summary>
    public double InterTokenP95Ratio => Ours.InterToken.P95Ms / Theirs.InterToken.P95Ms;
}

/// <summary>A ratio over the rounds of one level: the median, and the lowest and highest round.</summary>
public readonly record struct RatioSpread(double Median, double Min, double Max)
{
    /// <summary>The spread of the finite values; NaN throughout when there is none.</summary>
    public static RatioSpread Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return new(double.NaN, double.NaN, double.NaN);
        var median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        return new(median, v[0], v[^1]);
    }
}

/// <summary>The ratios of one level over its rounds (<see cref="ServeBenchSettings.Rounds"/>).</summary>
public sealed record ServeBenchSummary(int Concurrency, int Rounds, RatioSpread Throughput, RatioSpread FirstTokenP95)
{
    /// <summary>One summary per level, in the rows' order of levels.</summary>
    public static IReadOnlyList<ServeBenchSummary> Of(IEnumerable<ServeBenchRow> rows) =>
        [.. rows.GroupBy(r => r.Concurrency).Select(g => new ServeBenchSummary(g.Key, g.Count(), RatioSpread.Of(g.Select(r => r.ThroughputRatio)),
            RatioSpread.Of(g.Select(r => r.FirstTokenP95Ratio))))];
}

/// <summary>One server the load is pointed at.</summary>
/// <param name="Name">As the table names it.</param>
/// <param name="Http">Its client (base address and key set).</param>
/// <param name="CachePrompt">Sent as <see cref="ServeLoadSettings.CachePrompt"/>.</param>
public sealed record ServeTarget(string Name, HttpClient Http, bool? CachePrompt = null);

/// <summary>One load level against every target.</summary>
/// <param name="Concurrency">Clients.</param>
/// <param name="Results">One per target, in the targets' order.</param>
/// <param name="LoadAverage">The one-minute load average after the level.</param>
/// <param name="Round">Which run of the level (0 unless <see cref="ServeBenchSettings.Rounds"/> asks for more).</param>
public sealed record ServeLevel(int Concurrency, IReadOnlyList<ServeLoadResult> Results, string? LoadAverage, int Round = 0);

/// <summary>
/// Our service against llama.cpp's llama-server, both already started with the same GGUF and <see cref="ServeShape"/>:
/// warm-up, then each load level on both, the order alternating per level so drifting machine load hits both.
/// </summary>
public static class ServeBenchmark
{
    /// <summary>
    /// The shared part of every prompt: an instruction and one worked example, as our drafting and completion prompts
    /// open with a long fixed system/few-shot prefix.
    /// </summary>
    public const string SharedPrefix =
        "You are a radiologist. Write the impression of the chest radiograph report below in one or two short sentences.\n\n"
        + "Example findings: The cardiomediastinal silhouette is within normal limits for size and contour. The lungs are normally inflated "
        + "without evidence of focal airspace disease, pleural effusion, or pneumothorax. Stable calcified granuloma in the right upper lobe. "
        + "No acute bony abnormality.\nExample impression: No acute cardiopulmonary process.\n\n";

    /// <summary>Findings sections of typical length (IU X-ray style), one per prompt.</summary>
    public static IReadOnlyList<string> Findings { get; } =
    [
        "The heart is normal in size. The mediastinum is unremarkable. There is mild left basilar atelectasis. The lungs are otherwise clear. No pleural effusion or pneumothorax. Degenerative changes of the thoracic spine.",
        "Heart size is mildly enlarged. There is pulmonary vascular congestion with small bilateral pleural effusions. No focal consolidation. No pneumothorax. Median sternotomy wires are intact.",
        "The lungs are clear bilaterally. Specifically, no evidence of focal consolidation, pneumothorax, or pleural effusion. Cardiomediastinal silhouette is unremarkable. Visualized osseous structures of the thorax are without acute abnormality.",
        "There is a right lower lobe opacity concerning for pneumonia. Heart size is normal. No pleural effusion. No pneumothorax. Mild degenerative changes of the spine. Surgical clips in the right upper quadrant.",
        "Hyperexpanded lungs with flattened diaphragms consistent with emphysema. No focal airspace disease. Heart size within normal limits. No pleural effusion or pneumothorax. Calcified aortic knob.",
        "Interval placement of a right internal jugular central venous catheter with tip in the superior vena cava. Stable cardiomegaly. Small left pleural effusion with adjacent atelectasis. No pneumothorax.",
        "Normal heart size and mediastinal contours. There is a 1 cm nodular opacity in the left upper lobe. No pleural effusion. No pneumothorax. No acute osseous abnormality.",
        "Low lung volumes with bibasilar opacities likely atelectasis. Heart size is difficult to assess but appears enlarged. No large pleural effusion. No pneumothorax. Thoracic spine degenerative changes.",
    ];

    /// <summary>Tokens each warm-up request generates: the per-token path of every server run a while before timing (steady state, as a running service is).</summary>
    public const int WarmupTokens = 64;

    /// <summary>The prompts of every run: <see cref="SharedPrefix"/> then one of <see cref="Findings"/>.</summary>
    public static IReadOnlyList<string> Prompts { get; } = [.. Findings.Select(f => SharedPrefix + "Findings: " + f + "\nImpression:")];

    /// <summary>
    /// Pause before each server's run of a level, so the server that ran before it has gone quiet: ggml's CPU threads
    /// keep spinning for a while after a decode, and on 2 cores the next server's first step then shares the cores with them.
    /// </summary>
    public static TimeSpan SettleTime { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Warms both servers up (a short untimed round), then runs every level on both,
    /// alternating which goes first.
    /// </summary>
    public static async Task<IReadOnlyList<ServeBenchRow>> RunAsync(HttpClient ours, HttpClient theirs, ServeBenchSettings settings, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(theirs);
        ArgumentNullException.ThrowIfNull(settings);
        List<ServeTarget> targets = [new("ours", ours), new("llama-server", theirs)];
        if (settings.PromptCacheCheck) targets.Add(new("llama-server without prompt cache", theirs, CachePrompt: false));
        var levels = await RunInterleavedAsync(targets, settings, progress, cancellationToken).ConfigureAwait(false);
        return [.. levels.Select(l => new ServeBenchRow(l.Concurrency, l.Results[0], l.Results[1], settings.PromptCacheCheck ? l.Results[2] : null, l.LoadAverage, l.Round))];
    }

    /// <summary>
    /// Warms every server up (a short untimed round per distinct client), then runs each level on every target in turn,
    /// <see cref="ServeBenchSettings.Rounds"/> times, the order rotating per level and round so drifting machine load hits all of them alike.
    /// </summary>
    public static async Task<IReadOnlyList<ServeLevel>> RunInterleavedAsync(IReadOnlyList<ServeTarget> targets, ServeBenchSettings settings, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Rounds < 1) throw new ArgumentOutOfRangeException(nameof(settings), "Rounds must be at least 1");
        // Warm-up: first touch of the weights, every server's batch path, and our JIT. A few clients are enough and keep a
        // large model's warm-up (prefill of every prompt) short; each generates WarmupTokens. (With .NET's tiered JIT on,
        // which `reportgen` turns off, no warm-up this short is enough: it recompiled for the first ~250 requests.)
        var warm = Math.Min(4, settings.Concurrencies.Max());
        foreach (var t in targets.DistinctBy(t => t.Http))
        {
            progress?.Report($"warm-up {t.Name}");
            var w = await ServeLoadGenerator.RunAsync(t.Http, new ServeLoadSettings(warm, warm, WarmupTokens, Prompts), cancellationToken).ConfigureAwait(false);
            if (w.Errors == w.Requests) throw new InvalidOperationException($"{t.Name} failed every warm-up request: {w.FirstError}");
        }
        var levels = new List<ServeLevel>();
        for (var level = 0; level < settings.Concurrencies.Count; level++)
        {
            var c = settings.Concurrencies[level];
            var load = new ServeLoadSettings(c, c * settings.RequestsPerClient, settings.MaxTokens, Prompts);
            for (var round = 0; round < settings.Rounds; round++)
            {
                var results = new ServeLoadResult[targets.Count];
                for (var k = 0; k < targets.Count; k++)
                {
                    var i = (k + level + round) % targets.Count;
                    await Task.Delay(SettleTime, cancellationToken).ConfigureAwait(false);
                    progress?.Report($"x{c}{(settings.Rounds > 1 ? $" round {round + 1}/{settings.Rounds}" : "")} {targets[i].Name}");
                    results[i] = await ServeLoadGenerator.RunAsync(targets[i].Http, load with { CachePrompt = targets[i].CachePrompt }, cancellationToken).ConfigureAwait(false);
                }
                levels.Add(new ServeLevel(c, results, MachineLoad.OneMinute(), round));
            }
        }
        return levels;
    }
}
