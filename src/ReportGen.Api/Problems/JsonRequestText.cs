using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace ReportGen.Api.Problems;

/// <summary>
/// Reads request fields typed as <see cref="JsonElement"/> (report text or grounded findings, chat content, stop,
/// inline taxonomies) and checks every string and property name in them decodes: JSON bytes that are not UTF-8, or an
/// unpaired surrogate escape such as <c>"\ud800"</c>, would otherwise fail later, deep in a handler, as a 500. The
/// failure is a <see cref="JsonException"/>, which the framework reports with the field's path like any malformed
/// JSON; the path inside the field travels in <see cref="Exception.Data"/> under <see cref="InnerPathKey"/>.
/// </summary>
public sealed class CheckedJsonElementConverter : JsonConverter<JsonElement>
{
    /// <summary>The <see cref="Exception.Data"/> key holding the path inside the field (e.g. <c>findings[0].text</c>).</summary>
    public const string InnerPathKey = "ReportGen.InnerPath";

    /// <inheritdoc />
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (FirstUndecodable(document.RootElement, "") is { } inner)
        {
            var error = new JsonException("a string is not valid text: bytes that are not UTF-8, or an unpaired surrogate escape");
            error.Data[InnerPathKey] = inner;
            throw error;
        }
        return document.RootElement.Clone();
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        value.WriteTo(writer);
    }

    // The path of the first string or property name that does not decode ("" for the element itself), or null.
    private static string? FirstUndecodable(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(element.GetString) ? null : path;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstUndecodable(item, $"{path}[{i++}]") is { } found) return found;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!Decodes(() => property.Name)) return path;
                    if (FirstUndecodable(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}") is { } found) return found;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>
/// A JSON request whose <c>Content-Type</c> names a charset .NET does not know is a 415 naming the header, instead of
/// the framework's InvalidOperationException (a 500) when the endpoint reads the body.
/// </summary>
public sealed class JsonCharsetCheck(RequestDelegate next)
{
    /// <summary>Checks the request, then calls the next middleware.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            && type.MediaType.Value is { } media && (media.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            && type.Charset.HasValue && !Known(type.Charset.Value!.Trim('"')))
        {
            await ProblemWriter.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"charset '{type.Charset.Value}' is not a known encoding; send UTF-8 (charset=utf-8 or none).", "Content-Type", "unsupported_charset");
            return;
        }
        await next(context);
    }

    private static bool Known(string charset)
    {
        try
        {
            Encoding.GetEncoding(charset);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>
/// Answers a request line longer than <see cref="MaxTargetLength"/> with a 414 problem naming the query (or path).
/// Kestrel's own limit is raised above it (<see cref="KestrelRequestLineLimit"/>) because Kestrel rejects with an empty
/// body; only lines past that larger limit still get Kestrel's bare answer.
/// </summary>
public sealed class RequestTargetLimit(RequestDelegate next)
{
    /// <summary>The longest path plus query string the service answers (8 KiB, Kestrel's default request-line limit).</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>The request-line limit given to Kestrel, so lines between the two limits reach this middleware.</summary>
    public const int KestrelRequestLineLimit = 64 * 1024;

    /// <summary>Checks the request target, then calls the next middleware.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value?.Length ?? 0;
        var query = context.Request.QueryString.Value?.Length ?? 0;
        if (path + query > MaxTargetLength)
        {
            await ProblemWriter.WriteAsync(context, StatusCodes.Status414UriTooLong, "Request target too long",
                $"The path and query string are {path + query} characters; the limit is {MaxTargetLength}.", query > path ? "query" : "path");
            return;
        }
        await next(context);
    }
}
