using System.Globalization;
using System.Text.RegularExpressions;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Drafting;

/// <summary>An axis-aligned box; units depend on where it appears (fractions 0–1 or pixels).</summary>
public readonly record struct BoundingBox(double XMin, double YMin, double XMax, double YMax)
{
    /// <summary>Width (XMax − XMin).</summary>
    public double Width => XMax - XMin;
    /// <summary>Height (YMax − YMin).</summary>
    public double Height => YMax - YMin;
}

/// <summary>One grounded box: fractions of the original image, and original pixels when the geometry is known.</summary>
/// <param name="Normalized">Fractions (0–1) of the original image (of the model's square view when no geometry is given).</param>
/// <param name="Pixels">Original-image pixel coordinates, or null when the original size is unknown.</param>
public sealed record FindingBox(BoundingBox Normalized, BoundingBox? Pixels);

/// <summary>One drafted finding: a sentence or grounded phrase and its boxes (empty for plain sentences).</summary>
public sealed record DraftFinding(string Text, IReadOnlyList<FindingBox> Boxes);

/// <summary>The result of parsing grounded output: findings plus how much was dropped (never fatal).</summary>
/// <param name="Findings">Findings in output order.</param>
/// <param name="MalformedBoxes">Boxes dropped: bad coordinates, bins out of 0–99, min &gt; max, unclosed.</param>
/// <param name="MalformedObjects">Objects dropped or repaired: unclosed &lt;obj&gt;, empty phrase, stray tags.</param>
public sealed record GroundedParseResult(IReadOnlyList<DraftFinding> Findings, int MalformedBoxes, int MalformedObjects);

/// <summary>
/// Parses MAIRA-2 grounded reports: <c>&lt;obj&gt;phrase&lt;box&gt;&lt;x55&gt;&lt;y45&gt;&lt;x70&gt;&lt;y56&gt;&lt;/box&gt;&lt;/obj&gt;</c>
/// (one or more boxes per phrase) with plain sentences between objects. Bin b (0–99) means (b + 0.5) / 100 of the
/// model's square view (MAIRA-2's processor convention). Malformed boxes are dropped and counted; nothing throws.
/// </summary>
public static partial class GroundedReportParser
{
    /// <summary>Bins per axis.</summary>
    public const int Bins = 100;

    /// <summary>Parses <paramref name="output"/>; <paramref name="geometry"/> (when known) maps boxes back to the original image.</summary>
    public static GroundedParseResult Parse(string? output, CropGeometry? geometry = null)
    {
        var findings = new List<DraftFinding>();
        if (string.IsNullOrWhiteSpace(output)) return new GroundedParseResult(findings, 0, 0);
        int badBoxes = 0, badObjects = 0;
        var pos = 0;
        while (pos < output.Length)
        {
            var open = output.IndexOf("<obj>", pos, StringComparison.Ordinal);
            var plainEnd = open < 0 ? output.Length : open;
            AddPlain(output[pos..plainEnd], findings, ref badBoxes, ref badObjects);
            if (open < 0) break;
            var start = open + "<obj>".Length;
            var close = output.IndexOf("</obj>", start, StringComparison.Ordinal);
            var nextOpen = output.IndexOf("<obj>", start, StringComparison.Ordinal);
            int end, next;
            if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            {
                // Unclosed object (truncated generation or a missing </obj>): it runs to the next <obj> or the end.
                badObjects++;
                end = nextOpen < 0 ? output.Length : nextOpen;
                next = end;
            }
            else
            {
                end = close;
                next = close + "</obj>".Length;
            }
            AddObject(output[start..end], geometry, findings, ref badBoxes, ref badObjects);
            pos = next;
        }
        return new GroundedParseResult(findings, badBoxes, badObjects);
    }

    /// <summary>Converts one bin (0–99) to a fraction of the view, or null when out of range.</summary>
    public static double? BinToFraction(int bin) => bin is >= 0 and < Bins ? (bin + 0.5) / Bins : null;

    private static void AddObject(string content, CropGeometry? geometry, List<DraftFinding> findings, ref int badBoxes, ref int badObjects)
    {
        var boxes = new List<FindingBox>();
        var phrase = new System.Text.StringBuilder();
        var pos = 0;
        while (pos < content.Length)
        {
            var open = content.IndexOf("<box>", pos, StringComparison.Ordinal);
            if (open < 0) { phrase.Append(content, pos, content.Length - pos); break; }
            phrase.Append(content, pos, open - pos);
            var start = open + "<box>".Length;
            var close = content.IndexOf("</box>", start, StringComparison.Ordinal);
            var nextOpen = content.IndexOf("<box>", start, StringComparison.Ordinal);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            {
                badBoxes++;   // unclosed box: drop up to the next box or the end
                pos = nextOpen < 0 ? content.Length : nextOpen;
                continue;
            }
            var box = ParseBox(content[start..close], geometry);
            if (box is null) badBoxes++; else boxes.Add(box);
            pos = close + "</box>".Length;
        }
        var text = Tidy(phrase.ToString(), ref badObjects, ref badBoxes);
        if (text.Length == 0)
        {
            badObjects++;   // boxes without a phrase cannot be reported as a finding
            return;
        }
        findings.Add(new DraftFinding(text, boxes));
    }

    private static void AddPlain(string text, List<DraftFinding> findings, ref int badBoxes, ref int badObjects)
    {
        var clean = Tidy(text, ref badObjects, ref badBoxes);
        foreach (var sentence in SentenceSplitter.Split(clean))
        {
            var s = sentence.Text.Trim();
            if (s.Length > 0 && s.Any(char.IsLetterOrDigit)) findings.Add(new DraftFinding(s, []));
        }
    }

    private static FindingBox? ParseBox(string inner, CropGeometry? geometry)
    {
        var m = BoxCoordinates().Match(inner.Trim());
        if (!m.Success) return null;
        var v = new double[4];
        for (var i = 0; i < 4; i++)
        {
            if (!int.TryParse(m.Groups[i + 1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bin)) return null;
            var f = BinToFraction(bin);
            if (f is null) return null;
            v[i] = f.Value;
        }
        if (v[0] > v[2] || v[1] > v[3]) return null;
        var view = new BoundingBox(v[0], v[1], v[2], v[3]);
        if (geometry is null) return new FindingBox(view, null);
        var pixels = geometry.ToPixels(view);
        var normalized = new BoundingBox(pixels.XMin / geometry.OriginalWidth, pixels.YMin / geometry.OriginalHeight,
            pixels.XMax / geometry.OriginalWidth, pixels.YMax / geometry.OriginalHeight);
        return new FindingBox(normalized, pixels);
    }

    /// <summary>Removes stray grounding tags: a run of box debris counts as one malformed box, a stray obj tag as one malformed object.</summary>
    private static string Tidy(string text, ref int badObjects, ref int badBoxes)
    {
        var debris = BoxDebris().Matches(text).Count;
        if (debris > 0) { badBoxes += debris; text = BoxDebris().Replace(text, " "); }
        var objTags = ObjTag().Matches(text).Count;
        if (objTags > 0) { badObjects += objTags; text = ObjTag().Replace(text, " "); }
        return Whitespace().Replace(text, " ").Trim();
    }

    [GeneratedRegex(@"^<x(\d{1,3})>\s*<y(\d{1,3})>\s*<x(\d{1,3})>\s*<y(\d{1,3})>$")]
    private static partial Regex BoxCoordinates();

    [GeneratedRegex(@"(?:</?box>|<[xy]\d*>)(?:\s*(?:</?box>|<[xy]\d*>))*")]
    private static partial Regex BoxDebris();

    [GeneratedRegex(@"</?obj>")]
    private static partial Regex ObjTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
