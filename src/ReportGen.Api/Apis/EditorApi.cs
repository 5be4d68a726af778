using Microsoft.AspNetCore.Http.HttpResults;
using System.Reflection;

namespace ReportGen.Api.Apis;

/// <summary>
/// <c>GET /editor</c>: the editor plugin's demo page, and <c>GET /editor/{file}</c>: the plugin module and
/// its assets, embedded in this assembly from src/editor-plugin (so a published service needs no extra files).
/// </summary>
public static class EditorApi
{
    private const string Prefix = "editor/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    /// <summary>Maps the page and its files (no API key needed: the page asks the user for one).</summary>
    public static IEndpointRouteBuilder MapEditorApi(this IEndpointRouteBuilder app)
    {
        var assembly = typeof(EditorApi).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..], n => n, StringComparer.Ordinal);
        var group = app.MapGroup("/editor").WithTags("Editor");
        group.MapGet("/", () => Serve(assembly, files, "index.html")).WithName("getEditor")
            .WithSummary("The report editor page (HTML; the page asks the user for an API key)")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        group.MapGet("/{file}", (string file) => Serve(assembly, files, file)).WithName("getEditorFile")
            .WithSummary("A file of the editor page (script or style sheet)")
            .Produces<string>(StatusCodes.Status200OK, "text/javascript", "text/css").Produces(StatusCodes.Status404NotFound);
        return app;
    }

    private static Results<FileContentHttpResult, NotFound> Serve(Assembly assembly, Dictionary<string, string> files, string file)
    {
        if (!files.TryGetValue(file, out var resource) || !ContentTypes.TryGetValue(Path.GetExtension(file), out var type))
        {
            return TypedResults.NotFound();
        }
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return TypedResults.Bytes(memory.ToArray(), type);
    }
}
