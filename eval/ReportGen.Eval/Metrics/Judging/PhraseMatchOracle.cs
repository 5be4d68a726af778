using System.Text;
using ReportGen.Pipelines.Judging;

namespace ReportGen.Eval.Metrics.Judging;

/// <summary>
/// A model-free, deliberately naive entailment oracle for RadFact examples that carry no labels
/// ("oracle-normalised-phrase-match"): a phrase is entailed by the other report when that report has a phrase with the
/// same <see cref="Normalise">normalised</see> text, and those phrases (with their boxes) are its evidence; every other
/// phrase is "not_entailment". It is a lower bound on logical entailment (paraphrases such as "remains normal" vs "is
/// normal" do not match) and exercises RadFact's grounding and spatial arithmetic on real boxes; it is not a judge of
/// clinical meaning, and its scores are not comparable with an LLM judge's.
/// </summary>
public static class PhraseMatchOracle
{
    /// <summary>The oracle's name, as results.json records it.</summary>
    public const string Name = "oracle-normalised-phrase-match";

    /// <summary>The status given to a phrase without a match (RadFact's label for "not entailed").</summary>
    public const string NotEntailment = "not_entailment";

    // Articles and copulas carry no finding; dropping them matches "No new infiltrates are evident" with "No new infiltrate is evident".
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "a", "an", "the", "is", "are", "was", "were", "be", "been", "there" };

    /// <summary>
    /// Lower case; letters and digits only (punctuation and hyphens split words); articles and copulas dropped; a plural
    /// "s" dropped from words longer than 3 letters not ending in "ss". Negations and qualifiers stay ("no", "small").
    /// </summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text.ToLowerInvariant().Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
                continue;
            }
            if (word.Length == 0) continue;
            var w = word.ToString();
            word.Clear();
            if (Ignored.Contains(w)) continue;
            if (w.Length > 3 && w[^1] == 's' && w[^2] != 's') w = w[..^1];
            words.Add(w);
        }
        return string.Join(' ', words);
    }

    /// <summary>Labels both directions of one example.</summary>
    public static RadFactSample Judge(RadFactGroundedExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return new RadFactSample(example.Id, Direction(example.CandidatePhrases, example.ReferencePhrases), Direction(example.ReferencePhrases, example.CandidatePhrases));
    }

    private static EvidencedPhrase[] Direction(IReadOnlyList<GroundedPhrase> hypotheses, IReadOnlyList<GroundedPhrase> premises)
    {
        var keyed = premises.Select(p => (Key: Normalise(p.Text), Evidence: new EvidencePhrase(p.Text, p.Boxes is { Count: > 0 } ? p.Boxes : null))).ToArray();
        return [.. hypotheses.Select(h =>
        {
            var key = Normalise(h.Text);
            var evidence = keyed.Where(p => p.Key == key).Select(p => p.Evidence).ToArray();
            return new EvidencedPhrase(h.Text, evidence.Length > 0 ? EvidencedPhrase.Entailment : NotEntailment, h.Boxes is { Count: > 0 } ? h.Boxes : null, evidence);
        })];
    }
}
