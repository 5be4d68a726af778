using ReportGen.Core.Text;
using ReportGen.Pipelines.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Completion;

[Fast]
public sealed class SentenceIndexTests
{
    internal static SentenceIndex Small()
    {
        var builder = new SentenceIndexBuilder("test");
        builder.AddReport("The heart is normal in size. The lungs are clear. No pleural effusion.");
        builder.AddReport("The heart is normal in size.  THE LUNGS ARE CLEAR. No pneumothorax.");
        builder.AddReport("The heart is enlarged. Small left pleural effusion. The lungs are clear.");
        builder.AddReport("Heart size is normal. No pleural effusion or pneumothorax. The XXXX are grossly normal.");
        builder.AddReport("Heart size is normal. The lungs are hyperexpanded. No focal consolidation.");
        return builder.Build();
    }

    [Fact]
    public void Deduplicates_with_counts_and_positions()
    {
        var index = Small();
        var id = index.Find("the lungs are clear");
        id.ShouldBeGreaterThanOrEqualTo(0);
        var entry = index.Sentences[id];
        entry.Count.ShouldBe(3);
        entry.Text.ShouldBe("The lungs are clear.");
        entry.PositionHistogram[1].ShouldBe(2);
        entry.PositionHistogram[2].ShouldBe(1);
        entry.MeanRelativePosition.ShouldBe((0.5f + 0.5f + 1f) / 3, 1e-5);
        index.Reports.Count.ShouldBe(5);
        index.Sentences.Count.ShouldBe(11);
    }

    [Fact]
    public void Prefix_lookup_matches_word_starts_and_partial_words()
    {
        var index = Small();
        index.WithPrefix(["heart"], "").Select(i => index.Sentences[i].Text).ShouldBe(["Heart size is normal."]);
        index.WithPrefix(["the", "lungs", "are"], "c").Select(i => index.Sentences[i].Text).ShouldBe(["The lungs are clear."]);
        index.WithPrefix(["the"], "").Count.ShouldBe(5);
        index.WithPrefix(["th"], "").ShouldBeEmpty();
        index.WithPrefix([], "th").Count.ShouldBe(5);
    }

    [Fact]
    public void Saves_and_loads_the_same_index()
    {
        using var dir = new TempDir();
        var index = Small();
        var path = Path.Combine(dir.Path, "small.rgsi");
        index.Save(path);
        var loaded = SentenceIndex.Load(path);
        loaded.Name.ShouldBe("test");
        loaded.Keys.ShouldBe(index.Keys);
        loaded.Sentences.Select(s => (s.Text, s.Count)).ShouldBe(index.Sentences.Select(s => (s.Text, s.Count)));
        loaded.Reports.ShouldBe(index.Reports);
    }

    [Fact]
    public void Keeps_each_sentences_positions_per_section_through_save_and_load()
    {
        using var dir = new TempDir();
        var builder = new SentenceIndexBuilder("sections");
        builder.AddReport(new CorpusReport("a", "The lungs are clear. No effusion.", "No acute disease.", null));
        builder.AddReport(new CorpusReport("b", "No acute disease. The lungs are clear.", null, null));
        // A plain report is split by its headers; text before any header is findings, the indication is no completion section.
        builder.AddReport("INDICATION: Cough. FINDINGS: The lungs are clear.\nIMPRESSION: No acute disease. Stable.");
        var path = Path.Combine(dir.Path, "s.rgsi");
        builder.Build().Save(path);
        var index = SentenceIndex.Load(path);
        var noAcute = index.Sentences[index.Find("no acute disease")];
        noAcute.CountIn(ReportSectionKind.Impression).ShouldBe(2);
        noAcute.CountIn(ReportSectionKind.Findings).ShouldBe(1);
        noAcute.CountAt(ReportSectionKind.Impression, 0).ShouldBe(2);
        noAcute.PositionHistogram[2].ShouldBe(2); // third sentence of the report in a and in the plain report
        noAcute.MainSection().ShouldBe(ReportSectionKind.Impression);
        var stable = index.Sentences[index.Find("stable")];
        stable.CountAt(ReportSectionKind.Impression, 1).ShouldBe(1);
        stable.OnlyElsewhere(ReportSectionKind.Findings).ShouldBeTrue();
        index.Sentences[index.Find("cough")].MainSection().ShouldBeNull();
        index.Find("findings the lungs are clear").ShouldBe(-1);
    }

    [Fact]
    public void An_index_of_the_previous_format_is_refused_with_a_clear_message_and_rebuilt_by_the_registry()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "old.rgsi");
        Small().Save(path);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(1).CopyTo(bytes, 4); // format version 1, as saved before sections
        File.WriteAllBytes(path, bytes);
        Should.Throw<InvalidDataException>(() => SentenceIndex.Load(path)).Message.ShouldContain("format 1, expected 2; rebuild it from its source");

        var source = Path.Combine(dir.Path, "site.jsonl");
        File.WriteAllLines(source, ["{\"findings\": \"The lungs are clear.\", \"impression\": \"No acute disease.\"}"]);
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddHours(-1));
        var registry = new CorpusRegistry(dir.Path).Register(new CorpusDefinition("site", source, path));
        registry.Get("site").Sentences[0].CountIn(ReportSectionKind.Findings).ShouldBe(1);
        SentenceIndex.Load(path).Sentences.Count.ShouldBe(2);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_an_index()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "bad.rgsi");
        File.WriteAllText(path, "not an index at all");
        Should.Throw<InvalidDataException>(() => SentenceIndex.Load(path));
    }

    [Fact]
    public void Builds_from_jsonl_and_from_a_text_folder()
    {
        using var dir = new TempDir();
        var jsonl = Path.Combine(dir.Path, "c.jsonl");
        File.WriteAllLines(jsonl, ["{\"findings\": \"The lungs are clear\", \"impression\": \"No acute disease.\"}", "", "{\"text\": \"Heart size normal.\"}"]);
        var fromJson = SentenceIndexBuilder.FromSource("j", jsonl, TestContext.Current.CancellationToken);
        fromJson.Reports.Count.ShouldBe(2);
        fromJson.Find("no acute disease").ShouldBeGreaterThanOrEqualTo(0);
        fromJson.Reports[0].Length.ShouldBe(2);
        SentenceIndexBuilder.ReadReports(jsonl).Select(r => r.Id).ShouldBe(["line1", "line3"]);

        var folder = Path.Combine(dir.Path, "txt");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.txt"), "Heart size normal. Lungs clear.");
        SentenceIndexBuilder.FromSource("t", folder, TestContext.Current.CancellationToken).Sentences.Count.ShouldBe(2);

        File.WriteAllText(jsonl, "{not json");
        Should.Throw<InvalidDataException>(() => SentenceIndexBuilder.FromSource("j", jsonl, TestContext.Current.CancellationToken)).Message.ShouldContain("line 1");
    }
}
