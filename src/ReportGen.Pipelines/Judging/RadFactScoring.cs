using System.Text.RegularExpressions;

namespace ReportGen.Pipelines.Judging;

/// <summary>A box in normalised [0, 1] image coordinates (RadFact's NormalizedBox).</summary>
public sealed record NormalizedBox(double XMin, double YMin, double XMax, double YMax);

/// <summary>A phrase of the other report offered as evidence, with its boxes (null when it has none).</summary>
public sealed record EvidencePhrase(string Text, IReadOnlyList<NormalizedBox>? Boxes = null);

/// <summary>A phrase with its entailment status against the other report and the evidence for it.</summary>
/// <param name="Text">The phrase.</param>
/// <param name="Status">"entailment", "neutral", "contradiction" or "not_entailment"; only "entailment" counts.</param>
/// <param name="Boxes">The phrase's boxes; null for a phrase without grounding.</param>
/// <param name="Evidence">The other report's phrases that support it.</param>
public sealed record EvidencedPhrase(string Text, string Status, IReadOnlyList<NormalizedBox>? Boxes, IReadOnlyList<EvidencePhrase> Evidence)
{
    /// <summary>The status RadFact counts as entailed.</summary>
    public const string Entailment = "entailment";
    /// <summary>Whether the phrase is logically entailed.</summary>
    public bool IsEntailed => string.Equals(Status, Entailment, StringComparison.Ordinal);
}

/// <summary>RadFact's per-phrase spatial status.</summary>
public enum SpatialEntailmentStatus
{
    /// <summary>The phrase has no boxes.</summary>
    NoBoxes,
    /// <summary>Entailed, and its boxes' pixel precision against the evidence boxes exceeds the threshold.</summary>
    SpatialEntailment,
    /// <summary>Has boxes but is not spatially entailed.</summary>
    NoSpatialEntailment,
}

/// <summary>Pixel IoU / precision / recall of two box sets (NaN where RadFact gives NaN).</summary>
public readonly record struct BoxMetrics(double Iou, double Precision, double Recall);

/// <summary>One direction's fractions (RadFact's OneWayNLIFractions); NaN when a denominator is 0.</summary>
public sealed record OneWayFractions(double EntailedFraction, double EntailedBoxFraction, double FullBoxFraction, int NumPhrases, int NumPhrasesWithBoxes);

/// <summary>RadFact scores for one sample or their aggregate (RadFact's RadFactScore); NaN marks "undefined".</summary>
public sealed record RadFactScore(
    double LogicalPrecision, double LogicalRecall,
    double SpatialPrecision, double SpatialRecall,
    double GroundingPrecision, double GroundingRecall,
    double NumCandidatePhrases, double NumReferencePhrases,
    double NumCandidatePhrasesWithBoxes, double NumReferencePhrasesWithBoxes)
{
    /// <summary>2PR/(P+R) of the logical scores.</summary>
    public double LogicalF1 => RadFactScoring.F1(LogicalPrecision, LogicalRecall);
    /// <summary>2PR/(P+R) of the spatial scores.</summary>
    public double SpatialF1 => RadFactScoring.F1(SpatialPrecision, SpatialRecall);
    /// <summary>2PR/(P+R) of the grounding scores.</summary>
    public double GroundingF1 => RadFactScoring.F1(GroundingPrecision, GroundingRecall);
}

/// <summary>
/// RadFact's arithmetic (microsoft/RadFact src/radfact/metric/radfact.py, schema.py, box_metrics.py):
/// per sample, logical precision = share of candidate phrases entailed by the reference, logical recall = share of
/// reference phrases entailed by the candidate; a boxed phrase is spatially entailed when it is entailed and the pixel
/// precision of its boxes against the union of its evidence boxes, on a 224x224 mask, exceeds 0.5; grounding P/R =
/// spatially entailed / entailed boxed phrases, spatial P/R = spatially entailed / all boxed phrases. This is the one
/// implementation of that arithmetic: <see cref="RadFactJudge"/> scores with it, and the eval metric (which aggregates
/// samples with nanmean and takes F1s of the aggregated P and R, as radfact.py does) calls it per sample.
/// </summary>
public static partial class RadFactScoring
{
    /// <summary>Mask side in pixels.</summary>
    public const int ImageSize = 224;
    /// <summary>Pixel precision a box must exceed.</summary>
    public const double BoxPrecisionThreshold = 0.5;

    /// <summary>A score as results carry it: NaN (undefined, e.g. no boxed phrase on a side) becomes null.</summary>
    public static double? OrNull(double score) => double.IsFinite(score) ? score : null;

    /// <summary>2PR/(P+R); NaN propagates; 0 when P+R is 0 (the reference raises ZeroDivisionError there).</summary>
    public static double F1(double precision, double recall)
    {
        if (double.IsNaN(precision) || double.IsNaN(recall)) return double.NaN;
        return precision + recall == 0 ? 0 : 2 * (precision * recall) / (precision + recall);
    }

    /// <summary>RadFact's get_mask_from_boxes: mask[x1:x2, y1:y2] with coordinates truncated from coord × size.</summary>
    public static bool[,] Mask(IEnumerable<NormalizedBox> boxes, int size = ImageSize)
    {
        var mask = new bool[size, size];
        foreach (var box in boxes)
        {
            int x1 = Clip(box.XMin, size), y1 = Clip(box.YMin, size), x2 = Clip(box.XMax, size), y2 = Clip(box.YMax, size);
            for (var x = x1; x < x2; x++)
            {
                for (var y = y1; y < y2; y++) mask[x, y] = true;
            }
        }
        return mask;
    }

    // numpy's astype(int) truncates toward zero; slicing clips to [0, size].
    private static int Clip(double coordinate, int size) => Math.Clamp((int)(coordinate * size), 0, size);

    /// <summary>RadFact's compute_box_metrics.</summary>
    public static BoxMetrics ComputeBoxMetrics(IReadOnlyList<NormalizedBox> predicted, IReadOnlyList<NormalizedBox> truth, int size = ImageSize)
    {
        var p = Mask(predicted, size);
        var t = Mask(truth, size);
        int predArea = 0, trueArea = 0, inter = 0, union = 0;
        for (var x = 0; x < size; x++)
        {
            for (var y = 0; y < size; y++)
            {
                if (p[x, y]) predArea++;
                if (t[x, y]) trueArea++;
                if (p[x, y] && t[x, y]) inter++;
                if (p[x, y] || t[x, y]) union++;
            }
        }
        return new BoxMetrics(
            union > 0 ? inter / (double)union : double.NaN,
            predArea > 0 ? inter / (double)predArea : double.NaN,
            trueArea > 0 ? inter / (double)trueArea : double.NaN);
    }

    /// <summary>RadFact's _get_spatial_entailment_status.</summary>
    public static SpatialEntailmentStatus SpatialStatus(EvidencedPhrase phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        if (phrase.Boxes is null) return SpatialEntailmentStatus.NoBoxes;
        if (!phrase.IsEntailed) return SpatialEntailmentStatus.NoSpatialEntailment;
        var evidenceBoxes = phrase.Evidence.Where(e => e.Boxes is not null).SelectMany(e => e.Boxes!).ToArray();
        if (evidenceBoxes.Length == 0) return SpatialEntailmentStatus.NoSpatialEntailment;
        // NaN (empty predicted area) > 0.5 is false, as in numpy.
        return ComputeBoxMetrics(phrase.Boxes, evidenceBoxes).Precision > BoxPrecisionThreshold
            ? SpatialEntailmentStatus.SpatialEntailment
            : SpatialEntailmentStatus.NoSpatialEntailment;
    }

    /// <summary>RadFact's compute_radfact_score_oneway.</summary>
    public static OneWayFractions OneWay(IReadOnlyList<EvidencedPhrase> phrases)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        var statuses = phrases.Select(SpatialStatus).ToArray();
        var entailed = phrases.Count(p => p.IsEntailed);
        var boxed = statuses.Count(s => s != SpatialEntailmentStatus.NoBoxes);
        var entailedBoxed = phrases.Where((p, i) => statuses[i] != SpatialEntailmentStatus.NoBoxes && p.IsEntailed).Count();
        var spatial = statuses.Count(s => s == SpatialEntailmentStatus.SpatialEntailment);
        return new OneWayFractions(
            DivideOrNaN(entailed, phrases.Count),
            DivideOrNaN(spatial, entailedBoxed),
            DivideOrNaN(spatial, boxed),
            phrases.Count,
            boxed);
    }

    /// <summary>RadFact's compute_radfact_score: precision-like on the candidate, recall-like on the reference.</summary>
    public static RadFactScore Score(IReadOnlyList<EvidencedPhrase> candidatePhrases, IReadOnlyList<EvidencedPhrase> referencePhrases)
    {
        var c = OneWay(candidatePhrases);
        var r = OneWay(referencePhrases);
        return new RadFactScore(c.EntailedFraction, r.EntailedFraction, c.FullBoxFraction, r.FullBoxFraction,
            c.EntailedBoxFraction, r.EntailedBoxFraction, c.NumPhrases, r.NumPhrases, c.NumPhrasesWithBoxes, r.NumPhrasesWithBoxes);
    }

    private static double DivideOrNaN(int numerator, int denominator) => denominator != 0 ? numerator / (double)denominator : double.NaN;

    /// <summary>RadFact's normalise_text_for_comparison (used to attach evidence phrases to their boxes).</summary>
    public static string NormaliseForComparison(string text)
    {
        text = text.ToLowerInvariant().Trim();
        text = Spaces().Replace(text, " ");
        text = Dashes().Replace(text, "");
        text = SpaceBeforePunctuation().Replace(text, "");
        return FinalPunctuation().Replace(text, "");
    }

    /// <summary>
    /// Resolves evidence texts to the premise phrases (and their boxes): normalised exact match first, then the
    /// premise sharing the longest common substring (RadFact's find_best_match); null when nothing overlaps.
    /// </summary>
    public static EvidencePhrase? FindEvidence(string evidenceText, IReadOnlyList<EvidencePhrase> premises)
    {
        var target = NormaliseForComparison(evidenceText);
        foreach (var p in premises)
        {
            if (NormaliseForComparison(p.Text) == target) return p;
        }
        EvidencePhrase? best = null;
        var bestLength = 0;
        foreach (var p in premises)
        {
            var length = LongestCommonSubstring(target, NormaliseForComparison(p.Text));
            if (length > bestLength)
            {
                best = p;
                bestLength = length;
            }
        }
        return best;
    }

    private static int LongestCommonSubstring(string a, string b)
    {
        var best = 0;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : 0;
                best = Math.Max(best, current[j]);
            }
            (previous, current) = (current, previous);
            Array.Clear(current);
        }
        return best;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
    [GeneratedRegex(@"[\-–—]")]
    private static partial Regex Dashes();
    [GeneratedRegex(@"\s*(?<=[\.\:\!\?])")]
    private static partial Regex SpaceBeforePunctuation();
    [GeneratedRegex(@"[\.\:\!\?]$")]
    private static partial Regex FinalPunctuation();
}
