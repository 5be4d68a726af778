using ReportGen.Core.Models;
using ReportGen.Core.Imaging;

namespace ReportGen.Llama.Tests;

/// <summary>
/// Prompt-prefix reuse against real llama.cpp: a request whose prompt starts like a finished one's decodes only the rest,
/// and greedy output is the same token for token as with every prompt decoded whole.
/// </summary>
[Collection(nameof(BatchingDeterminismCollection))]
public class PromptPrefixReuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly GenerationOptions Options = new() { MaxTokens = 32 };

    // Pipelines' prompts: a long shared instruction, then the case.
    private const string Shared = "Once upon a time, there was a little girl named Lily. She liked to play in the park with her dog. One day, ";

    [Fact]
    public async Task The_same_prompt_twice_decodes_only_its_last_token_again_and_gives_the_same_tokens()
    {
        var prompt = Shared + "the sun was hot";
        var whole = await Whole(prompt);
        await using var scheduler = TestModels.Scheduler();
        scheduler.ReusesPromptPrefix.ShouldBeTrue();
        var first = await scheduler.GenerateAsync(prompt, Options, Ct);
        first.CachedPromptTokens.ShouldBe(0);
        var before = scheduler.Stats;
        var second = await scheduler.GenerateAsync(prompt, Options, Ct);

        // Everything but the last prompt token (whose logits pick the first generated token) came from the kept KV.
        second.CachedPromptTokens.ShouldBe(second.PromptTokens - 1);
        var after = scheduler.Stats;
        (after.PromptTokensReused - before.PromptTokensReused).ShouldBe(second.PromptTokens - 1);
        // Decoded: one prompt token and every generated token but the last (never fed back).
        (after.TokensDecoded - before.TokensDecoded).ShouldBe(1 + second.CompletionTokens - 1);
        first.Tokens.ShouldBe(whole.Tokens);
        second.Tokens.ShouldBe(whole.Tokens);
        second.Text.ShouldBe(whole.Text);
    }

    [Fact]
    public async Task Prompts_sharing_a_prefix_decode_only_their_own_part_and_match_whole_decoding()
    {
        string[] prompts = [Shared + "the sun was hot", Shared + "a big bird flew by", Shared + "Mom said"];
        await using var scheduler = TestModels.Scheduler();
        var sharedTokens = TestModels.Stories().Tokenize(Shared).Length;
        for (var i = 0; i < prompts.Length; i++)
        {
            var whole = await Whole(prompts[i]);
            var decodedBefore = scheduler.Stats.TokensDecoded;
            var reused = await scheduler.GenerateAsync(prompts[i], Options, Ct);
            reused.Tokens.ShouldBe(whole.Tokens, $"prompt {i}");
            if (i == 0) continue;
            // The shared instruction (up to the token that the next word may merge with) is not decoded again.
            reused.CachedPromptTokens.ShouldBeInRange(sharedTokens - 2, reused.PromptTokens - 1, $"prompt {i}");
            (scheduler.Stats.TokensDecoded - decodedBefore).ShouldBe(reused.PromptTokens - reused.CachedPromptTokens + reused.CompletionTokens - 1);
        }
    }

    [Fact]
    public async Task A_prompt_that_is_a_prefix_of_the_kept_one_cuts_the_kv_after_it()
    {
        var longer = Shared + "the sun was hot and the grass was green";
        await using var scheduler = TestModels.Scheduler();
        await scheduler.GenerateAsync(longer, Options, Ct);
        var shorter = await scheduler.GenerateAsync(Shared, Options, Ct);
        shorter.CachedPromptTokens.ShouldBeGreaterThanOrEqualTo(shorter.PromptTokens - 2);
        shorter.Tokens.ShouldBe((await Whole(Shared)).Tokens);
        // The kept KV now ends where this request's prompt and generated tokens end, nothing of the longer prompt after.
        var last = await scheduler.InvokeOnLoopAsync(ctx => ctx.LastPosition(0));
        last.ShouldBe(shorter.PromptTokens + shorter.CompletionTokens - 2);
        scheduler.Stats.KeptTokens.ShouldBe(last + 1);
    }

    [Fact]
    public async Task Continuing_a_conversation_reuses_the_generated_tokens_too()
    {
        await using var scheduler = TestModels.Scheduler();
        var first = await scheduler.GenerateAsync(Shared, Options, Ct);
        // The next turn's prompt is the previous prompt plus its answer, as token ids so no retokenisation differs.
        var model = TestModels.Stories();
        var next = new LlamaPrompt([new TokenPart([.. model.Tokenize(Shared), .. first.Tokens]), new TextPart(" The end.")]);
        var noBos = Options with { AddSpecialTokens = false };
        var reused = await scheduler.GenerateAsync(next, noBos, Ct);
        // All the kept KV: the prompt and the generated tokens that were decoded (all but the last).
        reused.CachedPromptTokens.ShouldBe(first.PromptTokens + first.CompletionTokens - 1);
        await using var off = TestModels.Scheduler(reusePrefix: false);
        reused.Tokens.ShouldBe((await off.GenerateAsync(next, noBos, Ct)).Tokens);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_requests_pick_the_sequence_with_their_prefix_and_match_whole_decoding(bool unifiedKv)
    {
        string[] cases = ["the sun was hot", "a big bird flew by", "Mom said", "they found a ball", "it began to rain", "Tom came too"];
        var prompts = cases.Select(c => Shared + c).ToArray();
        // Other prompts in the free sequences first, so admission has to choose.
        string[] others = ["The little dog ran", "There was a big tree", "Tom and Sue went to the park", "One day, a bird"];
        await using var off = TestModels.Scheduler(sequences: 4, reusePrefix: false, unifiedKv: unifiedKv);
        var whole = await Task.WhenAll(prompts.Select(p => off.GenerateAsync(p, Options, Ct)));
        off.Stats.PromptTokensReused.ShouldBe(0);

        await using var scheduler = TestModels.Scheduler(sequences: 4, unifiedKv: unifiedKv);
        await Task.WhenAll(others.Select(p => scheduler.GenerateAsync(p, Options, Ct)));
        await scheduler.GenerateAsync(Shared + "the end", Options, Ct);
        var reused = await Task.WhenAll(prompts.Select(p => scheduler.GenerateAsync(p, Options, Ct)));
        reused.Sum(r => r.CachedPromptTokens).ShouldBeGreaterThan(prompts.Length * 10, "the shared prefix was decoded again");
        Enumerable.Range(0, prompts.Length).Count(i => !SameUpToNearTie(prompts[i], whole[i].Tokens, reused[i].Tokens)).ShouldBeLessThanOrEqualTo(1);
        scheduler.Stats.Active.ShouldBe(0);
        scheduler.Stats.ReservedTokens.ShouldBe(0);
    }

    [Fact]
    public async Task Kept_kv_is_dropped_when_an_admitted_request_needs_its_cells()
    {
        await using var scheduler = TestModels.Scheduler(sequences: 2, contextSize: 256);
        await scheduler.GenerateAsync(Shared + "the sun was hot", Options, Ct);
        await scheduler.GenerateAsync("The little dog ran", Options, Ct);
        scheduler.Stats.KeptTokens.ShouldBeGreaterThan(60);
        // This request reserves nearly the whole context: both kept sequences must give their cells back.
        var big = new GenerationOptions { MaxTokens = scheduler.ContextSize - 20 };
        var result = await scheduler.GenerateAsync("Mom said", big, Ct);
        result.CompletionTokens.ShouldBeGreaterThan(0);
        await using var off = TestModels.Scheduler(sequences: 2, contextSize: 256, reusePrefix: false);
        result.Tokens.ShouldBe((await off.GenerateAsync("Mom said", big, Ct)).Tokens);
        scheduler.Stats.KeptTokens.ShouldBeLessThanOrEqualTo(scheduler.ContextSize);
    }

    [Fact]
    public async Task Turned_off_every_prompt_is_decoded_whole_and_nothing_is_kept()
    {
        await using var scheduler = TestModels.Scheduler(reusePrefix: false);
        scheduler.ReusesPromptPrefix.ShouldBeFalse();
        await scheduler.GenerateAsync(Shared, Options, Ct);
        var again = await scheduler.GenerateAsync(Shared, Options, Ct);
        again.CachedPromptTokens.ShouldBe(0);
        scheduler.Stats.PromptTokensReused.ShouldBe(0);
        scheduler.Stats.KeptTokens.ShouldBe(0);
        (await scheduler.InvokeOnLoopAsync(ctx => ctx.LastPosition(0))).ShouldBe(-1);
    }

    [Fact]
    public async Task A_report_prompt_on_the_radiology_model_reuses_its_instruction()
    {
        const string instruction = "You are a radiologist. Write the impression of a chest X-ray report from the findings. Findings: ";
        await using var off = TestModels.Scheduler(model: TestModels.IuXray(), reusePrefix: false);
        await using var scheduler = TestModels.Scheduler(model: TestModels.IuXray());
        foreach (var findings in new[] { "The lungs are clear. No pleural effusion.", "Heart size is normal. Mild degenerative changes of the spine." })
        {
            var prompt = instruction + findings + " Impression:";
            var reused = await scheduler.GenerateAsync(prompt, Options, Ct);
            reused.Tokens.ShouldBe((await off.GenerateAsync(prompt, Options, Ct)).Tokens);
        }
        scheduler.Stats.PromptTokensReused.ShouldBeGreaterThan(15);
    }

    [Fact]
    public async Task An_image_ends_the_reusable_prefix()
    {
        var model = TestModels.Stories();
        ImageEmbeddings Block(int seed)
        {
            var rng = new Random(seed);
            var values = new float[4 * model.InputEmbeddingSize];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
            return new ImageEmbeddings(4, model.InputEmbeddingSize, values);
        }
        LlamaPrompt Prompt(int seed) => LlamaPrompt.WithImages(Shared + "<image> there was", [Block(seed)]);
        var text = model.Tokenize(Shared).Length;
        await using var scheduler = TestModels.Scheduler();
        await scheduler.GenerateAsync(Prompt(1), Options, Ct);
        // Only the text before the image is kept: the image rows and what follows are cut from the sequence.
        scheduler.Stats.KeptTokens.ShouldBe(text);
        (await scheduler.InvokeOnLoopAsync(ctx => ctx.LastPosition(0))).ShouldBe(text - 1);
        var other = await scheduler.GenerateAsync(Prompt(2), Options, Ct);
        other.CachedPromptTokens.ShouldBe(text);
        other.Tokens.ShouldBe((await Whole(Prompt(2))).Tokens);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_prefix_kept_by_several_sequences_is_shared_into_an_empty_one_and_the_kept_prompts_stay_whole(bool unifiedKv)
    {
        string[] kept = [Shared + "the sun was hot", Shared + "a big bird flew by"];
        await using var scheduler = TestModels.Scheduler(sequences: 4, unifiedKv: unifiedKv);
        await Task.WhenAll(kept.Select(p => scheduler.GenerateAsync(p, Options, Ct)));
        var before = scheduler.Stats;
        var prompt = Shared + "Mom said";
        var other = await scheduler.GenerateAsync(prompt, Options, Ct);
        var after = scheduler.Stats;

        // Two free sequences hold the instruction: an empty sequence gets it by llama_memory_seq_cp (tagged cells, or a copy of
        // the holder's stream cut after the prefix), nothing decoded again.
        var sharedTokens = TestModels.Stories().Tokenize(Shared).Length;
        other.CachedPromptTokens.ShouldBeInRange(sharedTokens - 2, other.PromptTokens - 1);
        (after.PromptTokensShared - before.PromptTokensShared).ShouldBe(other.CachedPromptTokens, "the prefix was not shared from another sequence");
        (after.TokensDecoded - before.TokensDecoded).ShouldBe(other.PromptTokens - other.CachedPromptTokens + other.CompletionTokens - 1);
        other.Tokens.ShouldBe((await Whole(prompt)).Tokens);
        // Both kept prompts are still whole: each asked again decodes only its last prompt token, from its own sequence.
        foreach (var p in kept)
        {
            var sharedBefore = scheduler.Stats.PromptTokensShared;
            var again = await scheduler.GenerateAsync(p, Options, Ct);
            again.CachedPromptTokens.ShouldBe(again.PromptTokens - 1);
            scheduler.Stats.PromptTokensShared.ShouldBe(sharedBefore);
            again.Tokens.ShouldBe((await Whole(p)).Tokens);
        }
        // Three sequences keep prompts (the instruction's cells counted once per sequence); the one that received the
        // instruction by sharing serves its own prompt again.
        scheduler.Stats.KeptTokens.ShouldBeGreaterThan(3 * sharedTokens);
        var last = await scheduler.GenerateAsync(prompt, Options, Ct);
        last.CachedPromptTokens.ShouldBe(last.PromptTokens - 1);
        last.Tokens.ShouldBe(other.Tokens);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task One_after_another_prompts_sharing_an_instruction_each_stay_kept_while_a_sequence_is_empty(bool unifiedKv)
    {
        // One client, one report after another behind the same instruction (bench serve's one-client level). Taking the
        // sequence that holds the instruction would cut the earlier report's prompt; with an empty sequence free the
        // instruction is shared into that one instead, so asking the first report again decodes only its last token.
        string[] prompts = [Shared + "the sun was hot", Shared + "a big bird flew by"];
        await using var scheduler = TestModels.Scheduler(sequences: 3, unifiedKv: unifiedKv);
        var sharedTokens = TestModels.Stories().Tokenize(Shared).Length;
        await scheduler.GenerateAsync(prompts[0], Options, Ct);
        var before = scheduler.Stats;
        var second = await scheduler.GenerateAsync(prompts[1], Options, Ct);
        second.CachedPromptTokens.ShouldBeInRange(sharedTokens - 2, second.PromptTokens - 1);
        (scheduler.Stats.PromptTokensShared - before.PromptTokensShared).ShouldBe(second.CachedPromptTokens, "the instruction was not shared into another sequence");
        foreach (var p in prompts)
        {
            var again = await scheduler.GenerateAsync(p, Options, Ct);
            again.CachedPromptTokens.ShouldBe(again.PromptTokens - 1, p);
            again.Tokens.ShouldBe((await Whole(p)).Tokens);
        }

        // With no empty sequence left (one sequence), the holder itself is taken and its other prompt cut, as before.
        await using var single = TestModels.Scheduler(sequences: 1, unifiedKv: unifiedKv);
        foreach (var p in prompts) await single.GenerateAsync(p, Options, Ct);
        var cut = await single.GenerateAsync(prompts[0], Options, Ct);
        cut.CachedPromptTokens.ShouldBeInRange(sharedTokens - 2, cut.PromptTokens - 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_request_shares_the_prompt_prefix_of_a_request_still_generating(bool unifiedKv)
    {
        // Split, each sequence's stream holds half the context: 1024 each, room for the holder's long generation.
        await using var scheduler = TestModels.Scheduler(sequences: 2, contextSize: unifiedKv ? 1024 : 2048, unifiedKv: unifiedKv);
        // A long generation holds sequence 0; once its first piece is out, its whole prompt is in the KV.
        var running = scheduler.Submit(Shared + "the sun was hot", new GenerationOptions { MaxTokens = 900, Sampling = new() { IgnoreEndOfGeneration = true } }, Ct);
        await using (var pieces = running.ReadPiecesAsync(Ct).GetAsyncEnumerator(Ct)) (await pieces.MoveNextAsync()).ShouldBeTrue();
        var prompt = Shared + "a big bird flew by";
        var other = await scheduler.GenerateAsync(prompt, Options, Ct);
        running.Completion.IsCompleted.ShouldBeFalse("the holder finished before the second request: nothing was shared from an active sequence");
        running.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(running.Completion);

        var sharedTokens = TestModels.Stories().Tokenize(Shared).Length;
        other.CachedPromptTokens.ShouldBeInRange(sharedTokens - 2, other.PromptTokens - 1);
        scheduler.Stats.PromptTokensShared.ShouldBe(other.CachedPromptTokens);
        // Decoded in the same batches as the other sequence: equal, or parting only at a near-tie (BatchingDeterminismTests).
        SameUpToNearTie(prompt, (await Whole(prompt)).Tokens, other.Tokens).ShouldBeTrue();
        // The holder's cancellation cleared its own sequence only: the shared cells still serve the second prompt.
        var again = await scheduler.GenerateAsync(prompt, Options, Ct);
        again.CachedPromptTokens.ShouldBe(again.PromptTokens - 1);
        again.Tokens.ShouldBe(other.Tokens);
    }

    [Fact]
    public async Task A_queued_request_whose_prompt_is_kept_goes_before_a_head_whose_prompt_a_running_request_holds()
    {
        // Two sequences, both busy: X (long) holds prompt 0, Y (shorter) prompt 1. H (prompt 0) then Q (prompt 1) queue.
        // When Y ends, its sequence keeps prompt 1. H taking it (to share prompt 0 from X) would drop prompt 1 and Q would
        // decode it again; Q goes first instead, onto its kept prompt, and H follows on the next free sequence.
        await using var scheduler = TestModels.Scheduler(sequences: 2, contextSize: 2048);
        string p0 = Shared + "the sun was hot", p1 = Shared + "a big bird flew by";
        var endless = new GenerationOptions { MaxTokens = 900, Sampling = new() { IgnoreEndOfGeneration = true } };
        var x = scheduler.Submit(p0, endless, Ct);
        await using (var pieces = x.ReadPiecesAsync(Ct).GetAsyncEnumerator(Ct)) (await pieces.MoveNextAsync()).ShouldBeTrue();
        var y = scheduler.Submit(p1, endless with { MaxTokens = 200 }, Ct);
        await using (var pieces = y.ReadPiecesAsync(Ct).GetAsyncEnumerator(Ct)) (await pieces.MoveNextAsync()).ShouldBeTrue();
        var h = scheduler.GenerateAsync(p0, Options, Ct);
        var q = scheduler.GenerateAsync(p1, Options, Ct);
        y.Completion.IsCompleted.ShouldBeFalse("Y ended before both requests were queued");

        var second = await q;
        var first = await h;
        x.Completion.IsCompleted.ShouldBeFalse("X ended early: H did not have to share from a running request");
        x.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(x.Completion);
        second.CachedPromptTokens.ShouldBe(second.PromptTokens - 1, "Q's kept prompt was dropped");
        first.CachedPromptTokens.ShouldBe(first.PromptTokens - 1);
        (await y.Completion).CompletionTokens.ShouldBe(200);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task Requests_arriving_together_decode_their_shared_instruction_once_unless_sharing_is_off(bool share, bool unifiedKv)
    {
        string[] cases = ["the sun was hot", "a big bird flew by", "Mom said", "they found a ball"];
        var prompts = cases.Select(c => Shared + c).ToArray();
        await using var scheduler = TestModels.Scheduler(sequences: 4, contextSize: 2048, sharePrefix: share, unifiedKv: unifiedKv);
        scheduler.SharesPromptPrefix.ShouldBe(share);
        // Long generations on every sequence hold the burst in the queue; cancelling them lets all four in at one
        // admission, none with anything cached: a cold start under a burst.
        var blockers = Enumerable.Range(0, scheduler.Sequences)
            .Select(_ => scheduler.Submit("The little dog ran", new GenerationOptions { MaxTokens = 480, Sampling = new() { IgnoreEndOfGeneration = true } }, Ct)).ToArray();
        foreach (var blocker in blockers)
            await using (var pieces = blocker.ReadPiecesAsync(Ct).GetAsyncEnumerator(Ct)) (await pieces.MoveNextAsync()).ShouldBeTrue();
        var burst = prompts.Select(p => scheduler.GenerateAsync(p, Options, Ct)).ToArray();
        scheduler.Stats.Queued.ShouldBe(prompts.Length);
        var before = scheduler.Stats;
        foreach (var blocker in blockers) blocker.Cancel();
        foreach (var blocker in blockers) await Should.ThrowAsync<OperationCanceledException>(blocker.Completion);
        var results = await Task.WhenAll(burst);
        var after = scheduler.Stats;

        var sharedTokens = TestModels.Stories().Tokenize(Shared).Length;
        var cached = results.Sum(r => r.CachedPromptTokens);
        if (share)
        {
            // The first request decodes the instruction; the other three wait for it and share its cells.
            results.Count(r => r.CachedPromptTokens == 0).ShouldBe(1);
            cached.ShouldBeGreaterThanOrEqualTo(3 * (sharedTokens - 2));
            (after.PromptTokensShared - before.PromptTokensShared).ShouldBe(cached);
        }
        else cached.ShouldBe(0, "without sharing every sequence of a cold burst decodes the instruction itself");
        (after.PromptTokensReused - before.PromptTokensReused).ShouldBe(cached);
        for (var i = 0; i < prompts.Length; i++)
            SameUpToNearTie(prompts[i], (await Whole(prompts[i])).Tokens, results[i].Tokens).ShouldBeTrue();
    }

    [Fact]
    public async Task With_a_stream_per_sequence_a_request_gets_its_streams_context_and_a_longer_prompt_is_refused()
    {
        await using var split = TestModels.Scheduler(sequences: 4, contextSize: 1024, unifiedKv: false);
        split.ContextSize.ShouldBe(1024);
        split.SequenceContextSize.ShouldBe(256);
        await using var unified = TestModels.Scheduler(sequences: 4, contextSize: 1024);
        unified.SequenceContextSize.ShouldBe(1024);

        // A prompt that fits the shared context but not one stream: a clear input error at submission, not a failed decode.
        var longPrompt = string.Concat(Enumerable.Repeat(Shared, 10));
        var tokens = TestModels.Stories().Tokenize(longPrompt).Length;
        tokens.ShouldBeInRange(257, 1000);
        var ex = Should.Throw<ModelInputException>(() => split.Submit(longPrompt, Options, Ct));
        ex.Message.ShouldContain($"each sequence's context holds 256 (1024 split between 4 sequences)");
        // And why a stream might have been chosen that small: the model's own training context.
        split.Model.TrainContextLength.ShouldBeGreaterThan(0);
        ex.Message.ShouldEndWith($"; the model was trained on sequences of {split.Model.TrainContextLength}");
        (await unified.GenerateAsync(longPrompt, Options, Ct)).CompletionTokens.ShouldBeGreaterThan(0);

        // Generation stops where the stream is full, whatever max tokens asked for.
        var endless = new GenerationOptions { MaxTokens = 1000, Sampling = new() { IgnoreEndOfGeneration = true } };
        var result = await split.GenerateAsync(Shared, endless, Ct);
        result.FinishReason.ShouldBe(LlamaFinishReason.Length);
        (result.PromptTokens + result.CompletionTokens).ShouldBe(256);
        // Four such requests at once fill all four streams: each fits its own, none fails for lack of cells.
        var full = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => split.GenerateAsync(Shared, endless, Ct)));
        full.ShouldAllBe(r => r.PromptTokens + r.CompletionTokens == 256);
    }

    /// <summary>
    /// Whether a greedy output equals the whole-decoding one, tolerating what concurrent steps may cause: batched differently
    /// from run to run, a differing output must part from the other at a near-tie (as in BatchingDeterminismTests).
    /// </summary>
    private static bool SameUpToNearTie(string prompt, IReadOnlyList<int> whole, IReadOnlyList<int> got)
    {
        if (got.SequenceEqual(whole)) return true;
        var j = 0;
        while (j < whole.Count && j < got.Count && whole[j] == got[j]) j++;
        (j < whole.Count && j < got.Count).ShouldBeTrue($"{prompt}: one output is a prefix of the other");
        BatchingDeterminismTests.LogProbGap(prompt, whole.Take(j).ToArray(), whole[j], got[j]).ShouldBeLessThan(1e-2, $"{prompt}: not a near-tie");
        return false;
    }

    private static async Task<GenerationResult> Whole(LlamaPrompt prompt)
    {
        await using var off = TestModels.Scheduler(reusePrefix: false);
        return await off.GenerateAsync(prompt, Options, Ct);
    }
}
