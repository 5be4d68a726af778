using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ReportGen.Eval.Data;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Data;

public class SharedReportTextsTests
{
    private const string Template = "FINDINGS: {findings}\nIMPRESSION: {impression}";
    private const string Joined = "FINDINGS: No pleural effusion.\nIMPRESSION: Normal chest.";

    private static TempDir FakeSharedData()
    {
        var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "iu-xray"));
        File.WriteAllText(Path.Combine(dir.Path, "iu-xray", "val.jsonl"),
            """{"id": "r1", "findings": "No pleural effusion.", "impression": "Normal chest."}""" + "\n");
        return dir;
    }

    private static JsonObject Reference(string sha256, string template = Template) => new()
    {
        ["id"] = "r1",
        ["text_from"] = new JsonObject { ["file"] = "iu-xray/val.jsonl", ["template"] = template, ["sha256"] = sha256 },
    };

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Joins_the_text_by_id_through_the_template_and_checks_its_hash()
    {
        using var shared = FakeSharedData();
        var texts = new SharedReportTexts(shared.Path);
        texts.Resolve(Reference(Sha(Joined))).ShouldBe(new DevSetText(Joined, null));
        texts.Resolve(new JsonObject { ["id"] = "t1", ["text"] = "Pas d'épanchement." }).Text.ShouldBe("Pas d'épanchement.");

        Should.Throw<InvalidDataException>(() => texts.Resolve(Reference(Sha(Joined + " ")))).Message.ShouldContain("has changed");
        Should.Throw<InvalidDataException>(() => texts.Resolve(Reference(Sha(Joined), "{indication}"))).Message.ShouldContain("'indication'");
        Should.Throw<InvalidDataException>(() => texts.Resolve(new JsonObject { ["id"] = "r2", ["text_from"] = Reference(Sha(Joined))["text_from"]!.DeepClone() })).Message.ShouldContain("no record with that id");
        Should.Throw<InvalidDataException>(() => texts.Resolve(new JsonObject { ["id"] = "r1" })).Message.ShouldContain("neither");
        var escape = Reference(Sha(Joined));
        escape["text_from"]!["file"] = "../secret.jsonl";
        Should.Throw<InvalidDataException>(() => texts.Resolve(escape));
    }

    [Fact]
    public void Without_the_shared_folder_a_referenced_record_is_skipped_with_the_reason()
    {
        var skipped = new SharedReportTexts(null).Resolve(Reference(Sha(Joined)));
        skipped.Text.ShouldBeNull();
        skipped.SkipReason!.ShouldContain("REPORTGEN_SHARED");
        new SharedReportTexts(null).Resolve(new JsonObject { ["id"] = "t1", ["text"] = "Ours." }).Text.ShouldBe("Ours.");
    }

    [Fact]
    public void A_radgraph_annotation_must_name_the_words_at_its_indices()
    {
        JsonObject Annotation(string tokens, int ix) => new()
        {
            ["entities"] = new JsonObject { ["1"] = new JsonObject { ["tokens"] = tokens, ["label"] = "OBS-DA", ["start_ix"] = ix, ["end_ix"] = ix, ["relations"] = new JsonArray() } },
        };
        // "FINDINGS : No pleural effusion . IMPRESSION : Normal chest ." — "effusion" is word 4.
        var doc = SharedReportTexts.BindRadGraph("r1", Annotation("effusion", 4), Joined);
        doc.Text.ShouldBe("FINDINGS : No pleural effusion . IMPRESSION : Normal chest .");
        Should.Throw<InvalidDataException>(() => SharedReportTexts.BindRadGraph("r1", Annotation("effusion", 3), Joined)).Message.ShouldContain("entity 1");
        Should.Throw<InvalidDataException>(() => SharedReportTexts.BindRadGraph("r1", Annotation("effusion", 99), Joined));
        var withText = Annotation("effusion", 4);
        withText["text"] = "something else";
        Should.Throw<InvalidDataException>(() => SharedReportTexts.BindRadGraph("r1", withText, Joined)).Message.ShouldContain("word split");
    }
}
