using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReportGen.Pipelines.Judging;

/// <summary>One phrase of a report with its boxes (normalised 0–1 image coordinates); null boxes for a phrase without grounding.</summary>
/// <param name="Text">The phrase.</param>
/// <param name="Boxes">Its boxes, or null when it carries no grounding (an empty list counts as no grounding too).</param>
public sealed record GroundedPhrase(string Text, IReadOnlyList<NormalizedBox>? Boxes = null);

/// <summary>A judge input that is not a usable report; <see cref="Field"/> names what is wrong (a JSON path).</summary>
public sealed class JudgeInputException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public JudgeInputException(string field, string message) : base(message) => Field = field;

    /// <summary>Creates the exception with no field.</summary>
    public JudgeInputException() : this("input", "the judge input is invalid") { }

    /// <summary>Creates the exception with no field.</summary>
    public JudgeInputException(string message) : this("input", message) { }

    /// <summary>Creates the exception with no field, wrapping <paramref name="innerException"/>.</summary>
    public JudgeInputException(string message, Exception innerException) : base(message, innerException) => Field = "input";

    /// <summary>The offending field, e.g. <c>findings[2].boxes[0].x_max</c>.</summary>
    public string Field { get; }
}

/// <summary>
/// A report as the judges read it: either plain text, or the drafting pipeline's grounded output
/// <c>{"findings": [{"text": ..., "boxes": [{"x_min", "y_min", "x_max", "y_max"}]}]}</c>. A box is read from its
/// normalised coordinates: the box object itself, or its <c>normalized</c>/<c>normalised</c> member when it also
/// carries <c>pixels</c> (drafting's original-pixel copy); keys may be snake_case, camelCase or PascalCase. Coordinates
/// must lie in [0, 1] with min ≤ max (pixel boxes are refused, not guessed at).
/// </summary>
/// <param name="Phrases">The grounded findings in order (empty for a plain-text report).</param>
/// <param name="Text">The report as text (the findings' texts joined with spaces for a grounded report).</param>
public sealed record GroundedReport(IReadOnlyList<GroundedPhrase> Phrases, string Text)
{
    /// <summary>True when the report came as grounded JSON findings.</summary>
    public bool IsGrounded => Phrases.Count > 0;

    /// <summary>
    /// Reads a report: JSON (an object starting with <c>{</c>) must hold a <c>findings</c> array; anything else is
    /// plain text. Throws <see cref="JudgeInputException"/> naming the field for malformed JSON findings.
    /// </summary>
    public static GroundedReport Read(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var trimmed = content.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (!trimmed.StartsWith('{')) return new GroundedReport([], content);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(trimmed);
        }
        catch (JsonException ex)
        {
            throw new JudgeInputException("input", $"the report starts with '{{' but is not valid JSON (line {ex.LineNumber + 1})");
        }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("findings", out var findings) || findings.ValueKind != JsonValueKind.Array)
                throw new JudgeInputException("findings", "a JSON report needs a \"findings\" array of {text, boxes}");
            var phrases = new List<GroundedPhrase>();
            var i = 0;
            foreach (var finding in findings.EnumerateArray())
            {
                var at = $"findings[{i}]";
                if (finding.ValueKind != JsonValueKind.Object || !TryGet(finding, "text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw new JudgeInputException($"{at}.text", $"{at} needs a \"text\" string");
                IReadOnlyList<NormalizedBox>? boxes = null;
                if (TryGet(finding, "boxes", out var boxArray) && boxArray.ValueKind != JsonValueKind.Null)
                {
                    if (boxArray.ValueKind != JsonValueKind.Array) throw new JudgeInputException($"{at}.boxes", $"{at}.boxes must be an array");
                    var list = new List<NormalizedBox>();
                    var b = 0;
                    foreach (var box in boxArray.EnumerateArray()) list.Add(ReadBox(box, $"{at}.boxes[{b++}]"));
                    boxes = list.Count > 0 ? list : null;
                }
                if (text.GetString()!.Any(char.IsLetter)) phrases.Add(new GroundedPhrase(text.GetString()!.Trim(), boxes));
                i++;
            }
            if (phrases.Count == 0) throw new JudgeInputException("findings", "the findings array holds no finding text");
            return new GroundedReport(phrases, JoinText(phrases));
        }
    }

    /// <summary>Joins phrases into report text, each ending as a sentence.</summary>
    public static string JoinText(IEnumerable<GroundedPhrase> phrases)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        var text = new StringBuilder();
        foreach (var p in phrases)
        {
            var t = p.Text.Trim();
            if (t.Length == 0) continue;
            if (text.Length > 0) text.Append(' ');
            text.Append(t);
            if (t[^1] is not ('.' or '!' or '?')) text.Append('.');
        }
        return text.ToString();
    }

    private static NormalizedBox ReadBox(JsonElement box, string at)
    {
        if (box.ValueKind != JsonValueKind.Object) throw new JudgeInputException(at, $"{at} must be an object {{x_min, y_min, x_max, y_max}}");
        if (TryGet(box, "normalized", out var inner) || TryGet(box, "normalised", out inner))
        {
            box = inner;
            at += ".normalized";
            if (box.ValueKind != JsonValueKind.Object) throw new JudgeInputException(at, $"{at} must be an object {{x_min, y_min, x_max, y_max}}");
        }
        var xMin = Coordinate(box, "x_min", at);
        var yMin = Coordinate(box, "y_min", at);
        var xMax = Coordinate(box, "x_max", at);
        var yMax = Coordinate(box, "y_max", at);
        if (xMin > xMax) throw new JudgeInputException($"{at}.x_min", $"{at}.x_min is greater than x_max");
        if (yMin > yMax) throw new JudgeInputException($"{at}.y_min", $"{at}.y_min is greater than y_max");
        return new NormalizedBox(xMin, yMin, xMax, yMax);
    }

    private static double Coordinate(JsonElement box, string name, string at)
    {
        if (!TryGet(box, name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d))
            throw new JudgeInputException($"{at}.{name}", $"{at}.{name} is missing or not a number");
        if (!double.IsFinite(d) || d < 0 || d > 1)
            throw new JudgeInputException($"{at}.{name}", $"{at}.{name} = {d.ToString(CultureInfo.InvariantCulture)} is outside [0, 1] (boxes must be normalised)");
        return d;
    }

    // x_min, xMin and XMin name the same member: compare with underscores dropped, ignoring case.
    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        var key = name.Replace("_", "", StringComparison.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name.Replace("_", "", StringComparison.Ordinal), key, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}
