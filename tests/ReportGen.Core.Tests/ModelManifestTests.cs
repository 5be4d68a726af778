using ReportGen.Core.Models;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests;

public class ModelManifestTests
{
    private static ModelManifest RepoManifest() => ModelManifest.Load(RepoFiles.Path("models", "models.json"));

    [Fact]
    public void Repo_manifest_registers_the_shared_models()
    {
        var manifest = RepoManifest();
        manifest.Find("stories260k")!.Role.ShouldBe(ModelRole.Llm);
        manifest.Find("iu-xray-tiny-llama")!.File.ShouldBe("iu-xray-tiny-llama.gguf");
        var encoder = manifest.Find("mobilenetv2-int8")!;
        encoder.Role.ShouldBe(ModelRole.VisionEncoder);
        encoder.Preprocessing!.InputName.ShouldBe("input");
        encoder.Preprocessing.Mean.Length.ShouldBe(3);
    }

    [Fact]
    public void Shared_models_resolve_with_matching_hashes()
    {
        var shared = SharedData.Require("models");
        var manifest = RepoManifest();
        var fixtures = RepoFiles.Path("tests", "fixtures", "onnx");
        var ggufFixtures = RepoFiles.Path("tests", "fixtures", "gguf");
        var resolver = new ModelResolver(manifest, [shared, fixtures, ggufFixtures]);
        foreach (var entry in manifest.Models)
        {
            var r = resolver.Resolve(entry);
            r.Status.ShouldBe(ModelFileStatus.Ok, $"{entry.Id}: {r.ActualSha256}");
            // Projectors, the 3-D encoder and the tiny VLMs are generated test fixtures; everything else comes from shared/models.
            var folder = new[] { fixtures, ggufFixtures }.FirstOrDefault(f => File.Exists(Path.Combine(f, entry.File))) ?? shared;
            r.Path.ShouldBe(Path.Combine(folder, entry.File));
        }
    }

    [Fact]
    public void Repo_manifest_declares_vision_language_sets_over_its_models()
    {
        var manifest = RepoManifest();
        var set = manifest.FindSet("stories260k-mobilenet")!;
        (set.Llm, set.Encoder, set.Projector, set.Modality).ShouldBe(("stories260k", "mobilenetv2-int8", "projector-mobilenet-64", "cxr"));
        manifest.Find(set.Projector!)!.ForModel.ShouldBe("stories260k");
        var ct = manifest.FindSet("stories260k-mobilenet-ct")!;
        ct.Ct!.Slices.ShouldBeGreaterThan(0);
        ct.Ct.Windows.Count.ShouldBe(3);
        manifest.FindSet("no-such-set").ShouldBeNull();
    }

    [Fact]
    public void Mmproj_sets_name_an_llm_and_its_llama_cpp_mmproj()
    {
        var manifest = RepoManifest();
        var set = manifest.FindSet("tiny-gemma3-vlm")!;
        set.Kind.ShouldBe(ModelSetKind.Mmproj);
        (set.Llm, set.Mmproj, set.Encoder, set.Projector).ShouldBe(("tiny-gemma3", "tiny-gemma3-mmproj", null, null));
        set.ModelIds.ShouldBe(["tiny-gemma3", "tiny-gemma3-mmproj"]);
        manifest.Find(set.Mmproj!)!.Role.ShouldBe(ModelRole.Mmproj);
        // the default kind stays the ONNX encoder + projector
        manifest.FindSet("stories260k-mobilenet")!.Kind.ShouldBe(ModelSetKind.EncoderProjector);
    }

    [Theory]
    [InlineData("\"llm\": \"enc\", \"encoder\": \"enc\", \"projector\": \"proj\"", "llm 'enc' is a vision-encoder, not a llm")]
    [InlineData("\"llm\": \"lm\", \"encoder\": \"enc\", \"projector\": \"nope\"", "projector 'nope' is not a model")]
    [InlineData("\"llm\": \"lm\", \"encoder\": \"enc\", \"projector\": \"proj\", \"modality\": \"mri\"", "modality 'mri' must be cxr or ct")]
    [InlineData("\"llm\": \"lm\", \"encoder\": \"enc\", \"projector\": \"proj\", \"ct\": {\"slices\": 0}", "ct.slices must be >= 1")]
    [InlineData("\"llm\": \"lm\", \"encoder\": \"enc\"", "a set of kind encoder-projector needs projector")]
    [InlineData("\"llm\": \"lm\", \"encoder\": \"enc\", \"projector\": \"proj\", \"mmproj\": \"mm\"", "a set of kind encoder-projector has no mmproj")]
    [InlineData("\"kind\": \"mmproj\", \"llm\": \"lm\"", "a set of kind mmproj needs mmproj")]
    [InlineData("\"kind\": \"mmproj\", \"llm\": \"lm\", \"mmproj\": \"proj\"", "mmproj 'proj' is a projector, not a mmproj")]
    [InlineData("\"kind\": \"mmproj\", \"llm\": \"lm\", \"mmproj\": \"mm\", \"encoder\": \"enc\"", "a set of kind mmproj has no encoder")]
    [InlineData("\"kind\": \"mmproj\", \"llm\": \"lm\", \"mmproj\": \"mm-other\"", "mmproj 'mm-other' maps into 'other', not 'lm'")]
    public void Bad_sets_are_rejected_naming_the_set_and_field(string fields, string message)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "models.json");
        const string Sha = "0000000000000000000000000000000000000000000000000000000000000000";
        string Model(string id, string role, string extra = "") =>
            $"{{\"id\": \"{id}\", \"role\": \"{role}\", \"file\": \"{id}.bin\", \"sha256\": \"{Sha}\", \"size\": 1, \"source\": \"t\", \"licence\": \"t\"{extra}}}";
        var encoder = Model("enc", "vision-encoder", ", \"preprocessing\": {\"width\": 8, \"height\": 8, \"inputName\": \"x\"}");
        var models = string.Join(", ", Model("lm", "llm"), encoder, Model("proj", "projector"), Model("mm", "mmproj"), Model("mm-other", "mmproj", ", \"forModel\": \"other\""));
        File.WriteAllText(path, $"{{\"models\": [{models}], \"sets\": [{{\"id\": \"s\", {fields}}}]}}");
        var error = Should.Throw<InvalidDataException>(() => ModelManifest.Load(path));
        error.Message.ShouldContain("set 's'");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Search_order_prefers_the_first_folder_and_detects_tampering()
    {
        using var dir = new TempDir();
        var first = Directory.CreateDirectory(Path.Combine(dir.Path, "a")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(dir.Path, "b")).FullName;
        var content = "hello model"u8.ToArray();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(second, "m.gguf"), content);
        var manifest = Manifest(sha, content.Length);
        var cache = Path.Combine(dir.Path, "hashes.json");

        var resolver = new ModelResolver(manifest, [first, second], cache);
        resolver.Resolve("m").Status.ShouldBe(ModelFileStatus.Ok);
        resolver.Resolve("m").Path.ShouldBe(Path.Combine(second, "m.gguf"));
        File.Exists(cache).ShouldBeTrue();

        // Same size, different bytes, in the folder searched first: found there and rejected.
        File.WriteAllBytes(Path.Combine(first, "m.gguf"), "HELLO MODEL"u8.ToArray());
        var tampered = resolver.Resolve("m");
        tampered.Status.ShouldBe(ModelFileStatus.HashMismatch);
        tampered.Path.ShouldBe(Path.Combine(first, "m.gguf"));
        Should.Throw<FileNotFoundException>(() => resolver.RequirePath("m")).Message.ShouldContain("does not match");
    }

    [Fact]
    public void Missing_and_unknown_models_say_what_to_do()
    {
        using var dir = new TempDir();
        var resolver = new ModelResolver(Manifest(new string('a', 64), 10), [dir.Path]);
        resolver.Resolve("m").Status.ShouldBe(ModelFileStatus.Missing);
        Should.Throw<FileNotFoundException>(() => resolver.RequirePath("m")).Message.ShouldContain("REPORTGEN_MODELS");
        Should.Throw<KeyNotFoundException>(() => resolver.Resolve("nope")).Message.ShouldContain("unknown model id 'nope'");
    }

    [Theory]
    [InlineData("""{"models":[{"id":"x","role":"llm","file":"a/b.gguf","sha256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","size":1,"source":"s","licence":"l"}]}""", "bare file name")]
    [InlineData("""{"models":[{"id":"x","role":"llm","file":"b.gguf","sha256":"zz","size":1,"source":"s","licence":"l"}]}""", "64 hex digits")]
    [InlineData("""{"models":[{"id":"x","role":"vision-encoder","file":"b.onnx","sha256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","size":1,"source":"s","licence":"l"}]}""", "needs preprocessing")]
    [InlineData("""{"models":[{"id":"x","role":"wizard","file":"b.onnx","sha256":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","size":1,"source":"s","licence":"l"}]}""", "invalid model manifest")]
    [InlineData("""{"models":[{"id":"x","role":"llm"}]}""", "invalid model manifest")]
    public void Malformed_manifests_are_rejected_naming_the_problem(string json, string expected)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "models.json");
        File.WriteAllText(path, json);
        Should.Throw<InvalidDataException>(() => ModelManifest.Load(path)).Message.ShouldContain(expected);
    }

    private static ModelManifest Manifest(string sha, long size) => new()
    {
        Models = [new ModelEntry { Id = "m", Role = ModelRole.Llm, File = "m.gguf", Sha256 = sha, Size = size, Source = "test", Licence = "test" }],
    };
}
