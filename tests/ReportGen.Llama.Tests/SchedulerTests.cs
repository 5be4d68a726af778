using ReportGen.Core.Imaging;

namespace ReportGen.Llama.Tests;

public class SchedulerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Greedy_from_once_upon_a_time_continues_the_known_story()
    {
        await using var scheduler = TestModels.Scheduler();
        var result = await scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 40 }, Ct);
        result.Text.ShouldContain("Lily");
        result.CompletionTokens.ShouldBeGreaterThan(0);
        result.PromptTokens.ShouldBeGreaterThan(3);
        result.FinishReason.ShouldBe(LlamaFinishReason.Length);
        result.CompletionTokens.ShouldBe(40);
    }

    [Fact]
    public async Task Streaming_yields_the_same_text_in_pieces()
    {
        await using var scheduler = TestModels.Scheduler();
        var options = new GenerationOptions { MaxTokens = 30 };
        var pieces = new List<string>();
        await foreach (var p in scheduler.StreamAsync("Once upon a time", options, Ct)) pieces.Add(p);
        pieces.Count.ShouldBeGreaterThan(5);
        string.Concat(pieces).ShouldBe((await scheduler.GenerateAsync("Once upon a time", options, Ct)).Text);
    }

    [Fact]
    public async Task Pieces_nobody_streamed_yet_are_all_delivered_in_order_to_a_late_reader()
    {
        await using var scheduler = TestModels.Scheduler();
        var request = scheduler.Submit("Once upon a time", new GenerationOptions { MaxTokens = 40 }, Ct);
        var result = await request.Completion;
        var pieces = new List<string>();
        await foreach (var p in request.ReadPiecesAsync(Ct)) pieces.Add(p);
        pieces.Count.ShouldBeGreaterThan(5);
        string.Concat(pieces).ShouldBe(result.Text);
    }

    [Fact]
    public async Task Stop_sequences_end_generation_across_token_boundaries_and_are_not_emitted()
    {
        await using var scheduler = TestModels.Scheduler();
        var full = (await scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 40 }, Ct)).Text;
        var at = full.IndexOf("Lily", StringComparison.Ordinal);
        at.ShouldBeGreaterThan(0);
        var stopped = await scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 40, StopSequences = ["ily"] }, Ct);
        stopped.FinishReason.ShouldBe(LlamaFinishReason.StopSequence);
        stopped.Text.ShouldBe(full[..(at + 1)]);
    }

    [Fact]
    public async Task Cancelling_mid_stream_throws_and_frees_the_sequence()
    {
        await using var scheduler = TestModels.Scheduler(sequences: 1);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var received = 0;
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in scheduler.StreamAsync("Once upon a time", new GenerationOptions { MaxTokens = 200 }, cts.Token))
            {
                if (++received == 3) await cts.CancelAsync();
            }
        });
        received.ShouldBe(3);
        // At the next step the sequence is released and its KV cells cleared.
        var positions = await scheduler.InvokeOnLoopAsync(ctx => ctx.LastPosition(0));
        positions.ShouldBe(-1);
        scheduler.Stats.Active.ShouldBe(0);
        scheduler.Stats.ReservedTokens.ShouldBe(0);

        // The one sequence is usable again and gives the fresh-context answer.
        var again = await scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 40 }, Ct);
        again.Text.ShouldContain("Lily");
    }

    [Fact]
    public async Task A_full_queue_rejects_with_a_typed_exception()
    {
        await using var scheduler = TestModels.Scheduler(sequences: 1, queueCapacity: 1);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // A grammar that never completes keeps the first request generating until it is cancelled.
        var endless = new GenerationOptions { MaxTokens = 500, Sampling = new SamplingOptions { Grammar = new GbnfGrammar("root ::= \"Lily \" root") } };
        var running = scheduler.Submit("Once upon a time", endless, cts.Token);
        await using (var pieces = running.ReadPiecesAsync(cts.Token).GetAsyncEnumerator(cts.Token))
            (await pieces.MoveNextAsync()).ShouldBeTrue(); // it holds the only sequence now
        var waiting = scheduler.Submit("Once upon a time", endless, cts.Token);
        var ex = Should.Throw<SchedulerFullException>(() => scheduler.Submit("Once upon a time", endless, cts.Token));
        ex.QueueCapacity.ShouldBe(1);
        scheduler.Stats.Queued.ShouldBe(1);
        scheduler.Stats.Active.ShouldBe(1);

        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => running.Completion);
        await Should.ThrowAsync<OperationCanceledException>(() => waiting.Completion);
        // Once the queue drains, requests are accepted again.
        (await scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 5 }, Ct)).CompletionTokens.ShouldBe(5);
    }

    [Fact]
    public async Task A_grammar_constrains_the_output()
    {
        await using var scheduler = TestModels.Scheduler();
        var digits = new GbnfGrammar("root ::= [0-9]+ \" \"");
        var result = await scheduler.GenerateAsync("Once upon a time",
            new GenerationOptions { MaxTokens = 12, Sampling = new SamplingOptions { Temperature = 1.0f, Seed = 7, Grammar = digits } }, Ct);
        result.Text.ShouldNotBeEmpty();
        result.Text.TrimEnd().ShouldAllBe(c => char.IsAsciiDigit(c));
    }

    [Fact]
    public async Task A_bad_grammar_is_a_clear_argument_error()
    {
        await using var scheduler = TestModels.Scheduler();
        var ex = Should.Throw<ArgumentException>(() =>
            scheduler.Submit("x", new GenerationOptions { Sampling = new SamplingOptions { Grammar = new GbnfGrammar("root ::= [0-9") } }, Ct));
        ex.Message.ShouldContain("GBNF");
        Should.Throw<ArgumentException>(() =>
            scheduler.Submit("x", new GenerationOptions { Sampling = new SamplingOptions { Grammar = new GbnfGrammar("other ::= \"a\"") } }, Ct));
    }

    [Fact]
    public async Task Seeded_sampling_is_reproducible_and_seeds_differ()
    {
        await using var scheduler = TestModels.Scheduler();
        GenerationOptions Seeded(uint seed) => new() { MaxTokens = 30, Sampling = new SamplingOptions { Temperature = 1.0f, TopK = 0, TopP = 1, MinP = 0, Seed = seed } };
        var a = await scheduler.GenerateAsync("Once upon a time", Seeded(1), Ct);
        var b = await scheduler.GenerateAsync("Once upon a time", Seeded(1), Ct);
        var c = await scheduler.GenerateAsync("Once upon a time", Seeded(2), Ct);
        a.Text.ShouldBe(b.Text);
        c.Text.ShouldNotBe(a.Text);
    }

    [Fact]
    public async Task Injected_embeddings_change_the_output_deterministically()
    {
        await using var scheduler = TestModels.Scheduler();
        var model = scheduler.Model;
        var options = new GenerationOptions { MaxTokens = 24 };
        // Real rows from the model's own vocabulary space are too easy to fake; random blocks of the right shape do.
        ImageEmbeddings Block(int seed)
        {
            var rng = new Random(seed);
            var values = new float[4 * model.InputEmbeddingSize];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
            return new ImageEmbeddings(4, model.InputEmbeddingSize, values);
        }
        LlamaPrompt Prompt(ImageEmbeddings e) => LlamaPrompt.WithImages("Once upon a time <image> there was", [e]);

        var plain = await scheduler.GenerateAsync("Once upon a time  there was", options, Ct);
        var a1 = await scheduler.GenerateAsync(Prompt(Block(1)), options, Ct);
        var a2 = await scheduler.GenerateAsync(Prompt(Block(1)), options, Ct);
        var b = await scheduler.GenerateAsync(Prompt(Block(2)), options, Ct);
        a1.Text.ShouldBe(a2.Text);
        a1.Text.ShouldNotBe(b.Text);
        a1.Text.ShouldNotBe(plain.Text);
        // Each embedding row takes one position.
        a1.PromptTokens.ShouldBe(model.Tokenize("Once upon a time ").Length + 4 + model.Tokenize(" there was", addSpecial: false).Length);
    }

    [Fact]
    public async Task A_wrong_embedding_dimension_is_a_clear_error()
    {
        await using var scheduler = TestModels.Scheduler();
        var wrong = new ImageEmbeddings(2, 32, new float[64]);
        var ex = Should.Throw<ArgumentException>(() => scheduler.Submit(LlamaPrompt.WithImages("a <image> b", [wrong]), null, Ct));
        ex.Message.ShouldContain("dimension 32");
        ex.Message.ShouldContain("64");
        Should.Throw<ArgumentException>(() => LlamaPrompt.WithImages("no placeholder", [wrong]));
    }

    [Fact]
    public async Task Too_long_and_empty_prompts_are_rejected()
    {
        await using var scheduler = TestModels.Scheduler(contextSize: 256);
        Should.Throw<ArgumentException>(() => scheduler.Submit(string.Join(" ", Enumerable.Repeat("Lily", 400)), null, Ct)).Message.ShouldContain("context");
        Should.Throw<ArgumentException>(() => scheduler.Submit("", new GenerationOptions { AddSpecialTokens = false }, Ct));
        // max tokens beyond the context are clamped, not an error
        var r = scheduler.Submit("Once upon a time", new GenerationOptions { MaxTokens = 100_000 }, Ct);
        r.MaxTokens.ShouldBe(scheduler.ContextSize - r.PromptTokens);
        r.Cancel();
    }

    // The admission wait: an idle scheduler woken by a request waits a fraction of a generation step for others.
    private static SequenceScheduler Waiting(int sequences, double fraction, TimeSpan max, ArrivalGauge? arrivals = null) => new(TestModels.Stories(), new SchedulerOptions
    {
        Context = new LlamaContextOptions { ContextSize = 1024, Sequences = sequences, BatchSize = 256, Threads = 1 },
        AdmissionWaitFraction = fraction,
        MaxAdmissionWait = max,
        Arrivals = arrivals,
    });

    [Fact]
    public async Task With_a_KV_stream_per_sequence_the_generating_sequences_decode_as_one_graph_reused_every_step()
    {
        // llama.cpp decodes a batch over several KV streams as one ubatch per run of consecutive sequence ids in batch
        // order, and reuses the last step's graph only for the same sequences in the same order. Generated tokens in a
        // rotating order made most steps two ubatches of other shapes, each built anew.
        await using var scheduler = TestModels.Scheduler(sequences: 3, contextSize: 768, unifiedKv: false);
        var options = new GenerationOptions { MaxTokens = 40, Sampling = SamplingOptions.Greedy with { IgnoreEndOfGeneration = true } };
        string[] prompts = ["Once upon a time", "The little dog", "Mom said"];
        var before = scheduler.Stats;
        var results = await Task.WhenAll(prompts.Select(p => scheduler.GenerateAsync(p, options, Ct)));
        results.ShouldAllBe(r => r.CompletionTokens == 40);
        var after = scheduler.Stats;
        var steps = after.Steps - before.Steps;
        // Every step but the prompts' and the first one after them reuses its graph (a first request alone for a step
        // or two, before the others are admitted, may add a few more builds).
        (after.GraphsReused - before.GraphsReused).ShouldBeGreaterThanOrEqualTo(steps - 6, $"{steps} steps");
    }

    [Fact]
    public async Task With_a_KV_stream_per_sequence_concurrent_requests_take_neighbouring_sequences()
    {
        // Four prompts one after another leave sequences 0-3 keeping them; the second is asked again, so the least
        // recently used are 0, 2, 3. Least-recently-used alone would give the next two requests 0 and 2: two ubatches,
        // two passes over the weights, every step. Packed, they take neighbouring sequences and share one graph.
        await using var scheduler = TestModels.Scheduler(sequences: 4, contextSize: 1024, unifiedKv: false);
        var once = new GenerationOptions { MaxTokens = 2 };
        foreach (var p in new[] { "Once upon a time", "The little dog", "Tom and Sue went to the park", "One day, a bird", "The little dog" })
            await scheduler.GenerateAsync(p, once, Ct);
        var options = new GenerationOptions { MaxTokens = 40, Sampling = SamplingOptions.Greedy with { IgnoreEndOfGeneration = true } };
        var before = scheduler.Stats;
        await Task.WhenAll(scheduler.GenerateAsync("Lily wanted to play", options, Ct), scheduler.GenerateAsync("The sun was hot", options, Ct));
        var after = scheduler.Stats;
        var steps = after.Steps - before.Steps;
        (after.GraphsReused - before.GraphsReused).ShouldBeGreaterThanOrEqualTo(steps - 6, $"{steps} steps");
    }

    private static async Task WarmAsync(SequenceScheduler scheduler) => // measures a generation step, which sizes the wait
        await scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 8 }, Ct);

    [Theory]
    [InlineData(1e6, 1)] // the wait is the 1 s limit: the second request, 100 ms later, is gathered
    [InlineData(0.0, 0)] // off
    public async Task A_request_arriving_during_an_idle_schedulers_admission_wait_shares_the_first_step(double fraction, int gathered)
    {
        await using var scheduler = Waiting(sequences: 4, fraction, max: TimeSpan.FromSeconds(1));
        await WarmAsync(scheduler);
        var first = scheduler.Submit("Once upon a time", new GenerationOptions { MaxTokens = 4 }, Ct);
        await Task.Delay(100, Ct);
        var second = scheduler.Submit("The little dog", new GenerationOptions { MaxTokens = 4 }, Ct);
        await Task.WhenAll(first.Completion, second.Completion);
        scheduler.Stats.AdmittedByWaiting.ShouldBe(gathered);
        if (gathered > 0) first.FirstTokenAt.ShouldBeGreaterThan(second.AdmittedAt, "the first request began generating before the second was admitted");
    }

    [Fact]
    public async Task The_admission_wait_ends_once_every_sequence_is_taken()
    {
        await using var scheduler = Waiting(sequences: 2, fraction: 1e6, max: TimeSpan.FromSeconds(60));
        await WarmAsync(scheduler);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var first = scheduler.Submit("Once upon a time", new GenerationOptions { MaxTokens = 4 }, Ct);
        var second = scheduler.Submit("The little dog", new GenerationOptions { MaxTokens = 4 }, Ct);
        await Task.WhenAll(first.Completion, second.Completion);
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(30), "the wait ran to its 60 s limit");
    }

    [Fact]
    public async Task With_the_hosts_arrival_count_the_wait_lasts_only_while_a_request_is_on_its_way()
    {
        // The wait's limit is 60 s: a test that took it would show. The host counts its requests as ArrivalCounting does.
        var arrivals = new ArrivalGauge();
        await using var scheduler = Waiting(sequences: 4, fraction: 1e6, max: TimeSpan.FromSeconds(60), arrivals);
        await WarmAsync(scheduler);
        var options = new GenerationOptions { MaxTokens = 4 };

        // A lone request: nothing on its way, so no wait.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using (arrivals.EnterRequest()) await scheduler.Submit("Once upon a time", options, Ct).Completion;
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(30), "a lone request waited");

        // A second request in the host: the first waits for it, and both start in one step.
        var first = arrivals.EnterRequest();
        var second = arrivals.EnterRequest();
        var a = scheduler.Submit("Once upon a time", options, Ct);
        await Task.Delay(100, Ct);
        var b = scheduler.Submit("The little dog", options, Ct);
        await Task.WhenAll(a.Completion, b.Completion);
        scheduler.Stats.AdmittedByWaiting.ShouldBe(1);
        a.FirstTokenAt.ShouldBeGreaterThan(b.AdmittedAt, "the first request began generating before the second was admitted");
        first.Dispose();
        second.Dispose();

        // One that leaves without reaching the scheduler (refused, say) ends the wait.
        started = System.Diagnostics.Stopwatch.GetTimestamp();
        var refused = arrivals.EnterRequest();
        using (arrivals.EnterRequest())
        {
            var c = scheduler.Submit("Once upon a time", options, Ct);
            await Task.Delay(100, Ct);
            refused.Dispose();
            await c.Completion;
        }
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(30), "the wait outlived the request it waited for");
        scheduler.Stats.AdmittedByWaiting.ShouldBe(1);

        // A second client's connection, open before its request arrives: the first waits for that request too.
        using (arrivals.EnterConnection())
        using (arrivals.EnterConnection())
        using (arrivals.EnterRequest())
        {
            var d = scheduler.Submit("Once upon a time", options, Ct);
            await Task.Delay(100, Ct);
            using (arrivals.EnterRequest()) await Task.WhenAll(d.Completion, scheduler.Submit("The little dog", options, Ct).Completion);
        }
        scheduler.Stats.AdmittedByWaiting.ShouldBe(2);
        (arrivals.Requests, arrivals.Connections).ShouldBe((0, 0));
    }

    [Fact]
    public void A_negative_admission_wait_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Waiting(sequences: 1, fraction: -1, max: TimeSpan.Zero)).Message.ShouldContain("AdmissionWaitFraction");
        Should.Throw<ArgumentOutOfRangeException>(() => Waiting(sequences: 1, fraction: 0.1, max: TimeSpan.FromMilliseconds(-1)));
    }
}
