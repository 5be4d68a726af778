using System.Diagnostics;
using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Core.Json;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

public class GenerateCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prints_only_the_generated_text_for_a_model_id()
    {
        SharedData.Model("stories260K.gguf");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await GenerateCommand.RunAsync(new("stories260k", "Once upon a time", MaxTokens: 30, Threads: 1), stdout, stderr, Ct);
        code.ShouldBe(0, stderr.ToString());
        stdout.ToString().ShouldContain("Lily");
        stdout.ToString().ShouldNotContain("Once upon a time"); // the prompt is not echoed
    }

    [Fact]
    public async Task With_a_json_schema_stdout_is_the_json_document()
    {
        var model = SharedData.Model("stories260K.gguf");
        using var dir = new TempDir();
        var schemaPath = Path.Combine(dir.Path, "schema.json");
        const string Schema = """{"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer"}},"required":["name","age"]}""";
        await File.WriteAllTextAsync(schemaPath, Schema, Ct);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await GenerateCommand.RunAsync(new(model, "Once upon a time", MaxTokens: 200, Temperature: 1, Seed: 3, JsonSchema: schemaPath, Threads: 1), stdout, stderr, Ct);
        code.ShouldBe(0, stderr.ToString());
        using var schema = JsonDocument.Parse(Schema);
        JsonSchemaValidator.Validate(stdout.ToString(), schema.RootElement).ShouldBeEmpty(stdout.ToString());
    }

    [Fact]
    public async Task A_json_document_cut_off_by_max_tokens_exits_1_with_one_stderr_line()
    {
        var model = SharedData.Model("stories260K.gguf");
        using var dir = new TempDir();
        var schemaPath = Path.Combine(dir.Path, "schema.json");
        await File.WriteAllTextAsync(schemaPath, """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"city":{"type":"string"}},"required":["name","age","city"]}""", Ct);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await GenerateCommand.RunAsync(new(model, "Report:", MaxTokens: 4, Temperature: 1, Seed: 1, JsonSchema: schemaPath, Threads: 1), stdout, stderr, Ct);
        code.ShouldBe(1, stdout.ToString());
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("llama.cpp: ", StringComparison.Ordinal)).ToList();
        lines.ShouldHaveSingleItem().ShouldStartWith("reportgen generate: the JSON document was cut off at --max-tokens 4");
    }

    [Fact]
    public async Task Constrained_json_is_compact_and_ten_seeds_at_64_tokens_never_pass_a_cut_off_document()
    {
        var model = SharedData.Model("stories260K.gguf");
        using var dir = new TempDir();
        var schemaPath = Path.Combine(dir.Path, "schema.json");
        const string Schema = """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"city":{"type":"string"}},"required":["name","age","city"]}""";
        await File.WriteAllTextAsync(schemaPath, Schema, Ct);
        using var schema = JsonDocument.Parse(Schema);
        for (uint seed = 1; seed <= 10; seed++)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var code = await GenerateCommand.RunAsync(new(model, "Report:", MaxTokens: 64, Temperature: 1, Seed: seed, JsonSchema: schemaPath, Threads: 1), stdout, stderr, Ct);
            // Either a whole document (exit 0, valid, no whitespace between tokens) or a failure that says it was cut off.
            if (code == 0)
            {
                JsonSchemaValidator.Validate(stdout.ToString(), schema.RootElement).ShouldBeEmpty($"seed {seed}: {stdout}");
                stdout.ToString().TrimEnd('\n').ShouldNotContain("\n", customMessage: $"seed {seed}");
            }
            else
            {
                code.ShouldBe(1, $"seed {seed}: {stderr}");
                stderr.ToString().ShouldContain("cut off at --max-tokens 64");
            }
        }
    }

    [Fact]
    public async Task Bad_input_exits_2_with_a_message_on_stderr()
    {
        foreach (var args in new GenerateCommand.GenerateArguments[]
        {
            new("no-such-model", "x"),
            new("/nowhere/model.gguf", "x"),
            new("stories260k", "x", MaxTokens: 0),
        })
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            (await GenerateCommand.RunAsync(args, stdout, stderr, Ct)).ShouldBe(2, stderr.ToString());
            stdout.ToString().ShouldBeEmpty();
            stderr.ToString().ShouldStartWith("reportgen generate: ");
        }
    }

    [Fact]
    public async Task As_a_process_stdout_holds_the_text_and_native_logs_stay_on_stderr()
    {
        var model = SharedData.Model("stories260K.gguf");
        var dll = Path.Combine(AppContext.BaseDirectory, "reportgen.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "generate", "--model", model, "--prompt", "Once upon a time", "--max-tokens", "20", "--threads", "1", "--verbose" })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync(Ct);
        var stderrTask = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var (stdout, stderr) = (await stdoutTask, await stderrTask);
        process.ExitCode.ShouldBe(0, stderr);
        stderr.ShouldContain("llama.cpp: "); // --verbose: the load log is there, on stderr
        stdout.ShouldNotContain("llama");
        stdout.ShouldNotContain("load");
        stdout.ShouldContain("Lily");
        stdout.Trim().Split('\n').Length.ShouldBeLessThanOrEqualTo(3);
    }
}
