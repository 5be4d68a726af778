using System.Text;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests;

public class ModelTests
{
    [Fact]
    public void Reads_metadata_of_stories260K()
    {
        var model = TestModels.Stories();
        model.Architecture.ShouldBe("llama");
        model.EmbeddingSize.ShouldBe(64);
        model.InputEmbeddingSize.ShouldBe(64);
        model.TrainContextLength.ShouldBe(2048);
        model.VocabSize.ShouldBe(512);
        model.ParameterCount.ShouldBeGreaterThan(200_000);
        model.ChatTemplate.ShouldBeNull();
        model.GetMetadata("no.such.key").ShouldBeNull();
    }

    [Fact]
    public async Task Loads_with_progress_and_vocab_only()
    {
        var seen = new List<float>();
        using var model = await LlamaModel.LoadAsync(SharedData.Model("stories260K.gguf"), new LlamaModelOptions { VocabOnly = true },
            new SyncProgress(seen.Add), TestContext.Current.CancellationToken);
        model.IsVocabOnly.ShouldBeTrue();
        model.Tokenize("Once upon a time").Length.ShouldBeGreaterThan(2);
        Should.Throw<InvalidOperationException>(() => model.CreateContext());

        using var full = await LlamaModel.LoadAsync(SharedData.Model("iu-xray-tiny-llama.gguf"), null, new SyncProgress(seen.Add), TestContext.Current.CancellationToken);
        seen.ShouldNotBeEmpty();
        seen[^1].ShouldBe(1f);
    }

    [Fact]
    public async Task Cancelling_a_load_aborts_it_through_the_progress_callback()
    {
        var path = SharedData.Model("iu-xray-tiny-llama.gguf"); // outside the assertion: a missing ../shared skips, not fails
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(_ => cts.Cancel());
        // The callback cancels at its first report; llama.cpp sees false from the next one and aborts.
        await Should.ThrowAsync<OperationCanceledException>(() => LlamaModel.LoadAsync(path, null, progress, cts.Token));
    }

    [Fact]
    public void A_missing_or_invalid_file_is_a_clear_error()
    {
        Should.Throw<FileNotFoundException>(() => LlamaModel.Load("/nonexistent/model.gguf"));
        using var dir = new TempDir();
        var bad = Path.Combine(dir.Path, "bad.gguf");
        File.WriteAllText(bad, "not a gguf file at all");
        Should.Throw<LlamaException>(() => LlamaModel.Load(bad)).Message.ShouldContain("bad.gguf");
    }

    [Theory]
    [InlineData("Once upon a time, there was a little girl named Lily.")]
    [InlineData("café é à ü")]
    [InlineData("日本語のテキスト")]
    [InlineData("emoji 🙂 mixed")]
    public void Tokenize_and_detokenize_round_trip_including_multibyte_utf8(string text)
    {
        var model = TestModels.Stories();
        var tokens = model.Tokenize(text, addSpecial: false);
        tokens.ShouldNotBeEmpty();
        model.Detokenize(tokens).ShouldBe(text);
    }

    [Fact]
    public void Byte_fallback_pieces_are_assembled_into_whole_characters_across_tokens()
    {
        var model = TestModels.Stories();
        var tokens = model.Tokenize("日本", addSpecial: false);
        // stories260K has no CJK tokens: each character is three byte-fallback tokens.
        tokens.Length.ShouldBeGreaterThanOrEqualTo(6);
        var decoder = new Utf8PieceDecoder();
        var pieces = tokens.Select(t => decoder.Append(model.TokenToBytes(t))).ToList();
        pieces.ShouldAllBe(p => !p.Contains('\uFFFD'));
        pieces.Count(p => p.Length == 0).ShouldBeGreaterThan(0); // partial characters were held back
        (string.Concat(pieces) + decoder.Flush()).TrimStart().ShouldBe("日本");
    }

    [Fact]
    public void Special_tokens_are_added_and_rendered_on_request()
    {
        var model = TestModels.Stories();
        var with = model.Tokenize("Hello", addSpecial: true);
        with[0].ShouldBe(model.BosToken);
        model.Tokenize("Hello", addSpecial: false).Length.ShouldBe(with.Length - 1);
        model.Detokenize(with, removeSpecial: true).TrimStart().ShouldBe("Hello");
        model.Detokenize(with, renderSpecial: true).ShouldStartWith("<s>");
        Encoding.UTF8.GetString(model.TokenToBytes(model.BosToken, renderSpecial: true)).ShouldBe("<s>");
        model.TokenToBytes(model.BosToken).ShouldBeEmpty();
        model.Tokenize("<s>Hi", addSpecial: false, parseSpecial: true)[0].ShouldBe(model.BosToken);
    }

    [Fact]
    public void Chat_template_falls_back_to_plain_text_without_one_and_applies_a_known_one()
    {
        var model = TestModels.Stories();
        model.ApplyChatTemplate([new("system", "Be brief."), new("user", "Once upon a time")]).ShouldBe("Be brief.\nOnce upon a time");

        using var chatml = LlamaModel.Load(SharedData.Model("stories260K.gguf"), new LlamaModelOptions { VocabOnly = true, ChatTemplate = "chatml" });
        chatml.ApplyChatTemplate([new("user", "Hi")]).ShouldBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        using var unknown = LlamaModel.Load(SharedData.Model("stories260K.gguf"), new LlamaModelOptions { VocabOnly = true, ChatTemplate = "no-such-template" });
        Should.Throw<NotSupportedException>(() => unknown.ApplyChatTemplate([new("user", "Hi")]));
    }

    private sealed class SyncProgress(Action<float> report) : IProgress<float>
    {
        public void Report(float value) => report(value);
    }
}
