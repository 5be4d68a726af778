using ReportGen.Llama.Completion;

namespace ReportGen.Llama.Tests;

/// <summary>The completion scorer and generator on the real llama.cpp with the small models (Threads = 1).</summary>
public class CompletionSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The reference decodes one token per llama_decode; the session decodes many per call, and ggml takes another
    // matmul path for batches (F16 weights, float32 sums in another order). On an AVX2-only CPU the mean log-prob
    // then differs by about 1e-4 nat; a wrong position or token moves it by 0.1 or more.
    private const double ReferenceTolerance = 1e-3;

    private const string NormalChest =
        "The heart is normal in size. The mediastinum is unremarkable. The lungs are clear.";

    private static LlamaCompletionSession Session(LlamaModel model, int window = 0) =>
        new(model, new LlamaCompletionOptions { Threads = 1, Window = window });

    /// <summary>
    /// Reference: the mean log-probability of the continuation's tokens, decoding the joined text one token at a
    /// time in a plain single-sequence context and taking the log-softmax of each position's logits.
    /// </summary>
    private static double Reference(LlamaModel model, string context, string continuation, bool oneDecode = false)
    {
        var full = model.Tokenize(LlamaCompletionSession.Join(context, continuation));
        var contextTokens = model.Tokenize(context);
        var start = Math.Max(1, full.AsSpan().CommonPrefixLength(contextTokens));
        using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 512, BatchSize = 256, Sequences = 1, Threads = 1, OutputsPerSequence = 256 });
        using var batch = new NativeBatch(full.Length);
        if (oneDecode)
        {
            // The whole text in one decode (same kernels as the scorer's batch), a logits row per position.
            for (var p = 0; p < full.Length - 1; p++) batch.AddToken(full[p], p, 0, logits: true);
            ctx.Decode(batch).ShouldBe(0);
        }
        double sum = 0;
        for (var p = 0; p < full.Length - 1; p++)
        {
            if (!oneDecode)
            {
                batch.Clear();
                batch.AddToken(full[p], p, 0, logits: true);
                ctx.Decode(batch).ShouldBe(0);
            }
            if (p + 1 < start) continue;
            var logits = ctx.Logits(oneDecode ? p : 0).ToArray();
            // Plain double-precision log-softmax, independent of LogProbabilities.
            var max = logits.Max();
            var lse = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            sum += logits[full[p + 1]] - lse;
        }
        return sum / (full.Length - start);
    }

    [Fact]
    public async Task Scores_equal_a_token_by_token_reference_decode()
    {
        var model = TestModels.IuXray();
        using var session = Session(model);
        string[] continuations = ["No pneumothorax.", "There is no pleural effusion.", "Heart size is enlarged."];
        var scores = await session.ScoreAsync(NormalChest, continuations, Ct);
        for (var i = 0; i < continuations.Length; i++)
        {
            scores[i].ShouldBe(Reference(model, NormalChest, continuations[i]), ReferenceTolerance, continuations[i]);
        }
        // Empty context: the continuation is conditioned on BOS alone.
        (await session.ScoreAsync("", ["The lungs are clear."], Ct))[0].ShouldBe(Reference(model, "", "The lungs are clear."), ReferenceTolerance);
    }

    [Fact]
    public async Task A_likely_sentence_scores_above_a_garbled_one()
    {
        using var session = Session(TestModels.IuXray());
        var scores = await session.ScoreAsync(NormalChest, ["No pneumothorax.", "Pneumothorax no clear the heart of."], Ct);
        scores[0].ShouldBeGreaterThan(scores[1] + 1.0);
        scores[0].ShouldBeLessThan(0);
    }

    [Fact]
    public async Task Batching_k_candidates_gives_the_scores_of_one_at_a_time()
    {
        using var session = Session(TestModels.IuXray());
        string[] candidates =
        [
            "No pneumothorax.", "No focal consolidation.", "The XXXX are intact.", "Heart size is normal.",
            "There are degenerative changes of the spine.", "No pleural effusion or pneumothorax.",
        ];
        var before = session.DecodeCalls;
        var batched = await session.ScoreAsync(NormalChest, candidates, Ct);
        // Cold cache: one decode for the context, ONE for all candidates.
        (session.DecodeCalls - before).ShouldBe(2);
        for (var i = 0; i < candidates.Length; i++)
        {
            using var fresh = Session(TestModels.IuXray());
            var single = await fresh.ScoreAsync(NormalChest, [candidates[i]], Ct);
            batched[i].ShouldBe(single[0], 1e-4, candidates[i]);
        }
        // The warm cache gives the same scores again (only the context's last token is re-decoded).
        var again = await session.ScoreAsync(NormalChest, candidates, Ct);
        for (var i = 0; i < candidates.Length; i++) again[i].ShouldBe(batched[i], 1e-4);

        // Tokens candidates share are decoded once: two identical candidates cost what one does.
        var tokens = session.TokensDecoded;
        await session.ScoreAsync(NormalChest, ["No pleural effusion or pneumothorax."], Ct);
        var one = session.TokensDecoded - tokens;
        tokens = session.TokensDecoded;
        var twice = await session.ScoreAsync(NormalChest, ["No pleural effusion or pneumothorax.", "No pleural effusion or pneumothorax."], Ct);
        (session.TokensDecoded - tokens).ShouldBe(one);
        twice[0].ShouldBe(twice[1]);
    }

    [Fact]
    public void The_continuation_starts_at_a_word_initial_token()
    {
        // SentencePiece marks word starts ("▁No"): tokenising the joined text keeps the context's tokens and the
        // continuation's first piece carries the space, as in training.
        var model = TestModels.IuXray();
        var full = model.Tokenize(LlamaCompletionSession.Join(NormalChest, "No pneumothorax."));
        var context = model.Tokenize(NormalChest);
        var start = full.AsSpan().CommonPrefixLength(context);
        start.ShouldBe(context.Length);
        string.Concat(full[start..].Select(t => System.Text.Encoding.UTF8.GetString(model.TokenToBytes(t)))).ShouldBe(" No pneumothorax.");
        model.TokenToBytes(full[start])[0].ShouldBe((byte)' ');
    }

    [Fact]
    public async Task A_context_longer_than_the_window_is_truncated_from_the_left_and_keeps_the_recent_text()
    {
        var model = TestModels.IuXray();
        using var session = Session(model, window: 64);
        var longContext = string.Concat(Enumerable.Repeat("The cardiomediastinal silhouette is within normal limits. ", 20)) + NormalChest;
        model.Tokenize(longContext).Length.ShouldBeGreaterThan(150);
        var truncated = await session.ScoreAsync(longContext, ["No pneumothorax."], Ct);
        double.IsFinite(truncated[0]).ShouldBeTrue();
        truncated[0].ShouldBeLessThan(0);
        // Generation also fits the window and still starts with the prefix.
        (await session.GenerateAsync(longContext, "No", 20, Ct))?.ShouldStartWith("No");
    }

    [Fact]
    public async Task By_default_a_long_report_is_scored_within_the_models_training_context()
    {
        // iu-xray-tiny-llama was trained on 256-token sequences; the KV cache is larger (it holds the candidates too),
        // but no scored sequence may use positions the model never saw.
        var model = TestModels.IuXray();
        using var session = Session(model);
        session.Window.ShouldBe(model.TrainContextLength);
        session.Window.ShouldBe(256);
        string Long(int repeats) => string.Concat(Enumerable.Repeat("The cardiomediastinal silhouette is within normal limits. ", repeats)) + NormalChest;
        model.Tokenize(Long(40)).Length.ShouldBeGreaterThan(300);
        model.Tokenize(Long(80)).Length.ShouldBeLessThan(1024 - 16);
        // Both contexts overflow the window, so both keep the same most recent 256 - continuation tokens: same score.
        // With a 1,024-token window the first would be scored whole, and the scores would differ.
        var a = await session.ScoreAsync(Long(40), ["No pneumothorax."], Ct);
        var b = await session.ScoreAsync(Long(80), ["No pneumothorax."], Ct);
        a[0].ShouldBe(b[0], ReferenceTolerance);
        using var wide = Session(model, window: 1024);
        var c = await wide.ScoreAsync(Long(40), ["No pneumothorax."], Ct);
        Math.Abs(c[0] - a[0]).ShouldBeGreaterThan(ReferenceTolerance);
    }

    [Fact]
    public async Task Generation_starts_with_the_prefix_and_ends_at_a_sentence_end()
    {
        using var session = Session(TestModels.IuXray());
        var text = await session.GenerateAsync(NormalChest, "No", 40, Ct);
        text.ShouldNotBeNull();
        text.ShouldStartWith("No");
        text.Length.ShouldBeGreaterThan(3);
        text.ShouldEndWith(".");
        text.Count(c => c is '.' or '!' or '?').ShouldBe(1, text);

        // A partial last word is healed: the first generated token extends it.
        var healed = await session.GenerateAsync(NormalChest, "No pneumo", 40, Ct);
        healed.ShouldNotBeNull();
        healed.ShouldStartWith("No pneumo");
        char.IsLetter(healed[9]).ShouldBeTrue(healed); // "pneumo" went on as one word (the tiny model's choice may vary)

        // A complete typed word ("Obscured ", trailing space) is followed by a new word, never glued to one.
        var word = await session.GenerateAsync(NormalChest, "Obscured ", 40, Ct);
        word.ShouldNotBeNull();
        word.ShouldStartWith("Obscured ");

        // Without a prefix the model proposes a whole next sentence.
        var next = await session.GenerateAsync(NormalChest, "", 40, Ct);
        next.ShouldNotBeNull();
        char.IsUpper(next[0]).ShouldBeTrue(next);
        next.ShouldEndWith(".");
    }

    [Fact]
    public void Sentence_end_waits_for_decimals_and_stops_at_newlines()
    {
        LlamaCompletionSession.SentenceEnd(" is clear").ShouldBe(-1);
        LlamaCompletionSession.SentenceEnd(" is clear.").ShouldBe(10);
        LlamaCompletionSession.SentenceEnd(" measures 2.").ShouldBe(-1);
        LlamaCompletionSession.SentenceEnd(" measures 2.5 cm.").ShouldBe(17);
        LlamaCompletionSession.SentenceEnd(" effusion.. The").ShouldBe(10);
        LlamaCompletionSession.SentenceEnd(" clear\nThe").ShouldBe(6);
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_the_session_stays_usable()
    {
        using var session = Session(TestModels.IuXray());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => session.ScoreAsync(NormalChest, ["No pneumothorax."], cancelled.Token));
        await Should.ThrowAsync<OperationCanceledException>(() => session.GenerateAsync(NormalChest, "No", 40, cancelled.Token));

        // Cancelling while another call holds the session: the waiting call gives up, the running one finishes.
        var running = session.GenerateAsync(NormalChest, "", 40, Ct);
        using var soon = new CancellationTokenSource();
        var waiting = session.ScoreAsync(NormalChest, ["No pneumothorax."], soon.Token);
        await soon.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => waiting);
        await running;
        (await session.ScoreAsync(NormalChest, ["No pneumothorax."], Ct))[0].ShouldBe(Reference(session.Model, NormalChest, "No pneumothorax."), ReferenceTolerance);
    }

    [Fact]
    public async Task Stories260K_scores_match_the_reference_too()
    {
        var model = TestModels.Stories();
        using var session = Session(model);
        const string context = "Once upon a time, there was a little girl named Lily.";
        string[] candidates = ["She loved to play outside.", "Dog the blue ran sky."];
        var scores = await session.ScoreAsync(context, candidates, Ct);
        for (var i = 0; i < candidates.Length; i++)
        {
            // stories260K's F32 matrices go through different ggml kernels for one token and for a batch, which moves
            // its mean log-probabilities by ~3e-4; against a plain one-sequence batched decode they agree to 1e-5.
            scores[i].ShouldBe(Reference(model, context, candidates[i], oneDecode: true), 1e-5);
            scores[i].ShouldBe(Reference(model, context, candidates[i]), 1e-3);
        }
        scores[0].ShouldBeGreaterThan(scores[1]);
    }

    [Fact]
    public void Log_softmax_is_stable_for_large_logits()
    {
        float[] logits = [1000f, 1000f, 999f];
        var scratch = new float[3];
        var expected = -Math.Log(2 + Math.Exp(-1));
        LogProbabilities.Of(logits, 0, scratch).ShouldBe(expected, 1e-6);
        LogProbabilities.Of(logits, 2, scratch).ShouldBe(expected - 1, 1e-6);
    }
}
