using System.Text.RegularExpressions;

namespace ReportGen.Pipelines.Drafting;

/// <summary>
/// Groups CT findings sentences per organ system with a small keyword lexicon (eval/drafting.md lists it). A sentence
/// goes to the first system in <see cref="Order"/> whose lexicon matches a whole word (case-insensitive), else to
/// <c>other</c>. The order resolves overlaps: "pleural effusion" is pleura, not lungs, because pleura is tried first
/// (one override comes before the order: "pericardial effusion" is heart/mediastinum);
/// "bronchial wall thickening" is airways; "hilar lymph nodes" is heart/mediastinum.
/// </summary>
public static partial class OrganSystems
{
    /// <summary>The systems in match order (and output order); <c>other</c> takes the rest.</summary>
    public static IReadOnlyList<string> Order { get; } = ["pleura", "airways", "heart/mediastinum", "bones", "upper abdomen", "lungs", "other"];

    /// <summary>Whole-word keywords (a trailing * matches any ending) per system.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Lexicon { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["pleura"] = ["pleura*", "effusion*", "pneumothora*", "hydropneumothorax", "empyema", "fissur*"],
        ["airways"] = ["airway*", "trachea*", "bronch*", "carina", "endotracheal", "mucus plug*"],
        ["heart/mediastinum"] = ["heart", "cardi*", "pericard*", "mediastin*", "aort*", "hilar", "hil*", "lymph*", "node*", "esophag*", "thyroid", "pulmonary arter*", "vascular*", "coronary", "thymus"],
        ["bones"] = ["bone*", "osseous", "rib*", "spine", "spinal", "vertebra*", "sternum", "sternal", "clavicle*", "scapula*", "fracture*", "lytic", "sclerotic", "degenerative", "osteo*", "humer*"],
        ["upper abdomen"] = ["liver", "hepat*", "spleen", "splen*", "adrenal*", "kidney*", "renal", "pancrea*", "gallbladder", "biliary", "stomach", "gastric", "abdom*", "diaphragm*", "subdiaphragmatic"],
        ["lungs"] = ["lung*", "pulmonary", "lobe*", "lobar", "nodul*", "nodule*", "opacit*", "consolidat*", "ground-glass", "ground glass", "emphysema*", "atelecta*", "pneumon*", "infiltrat*", "parenchym*", "interstitial", "fibros*", "mass", "masses", "cavit*", "apical", "basilar"],
        ["other"] = [],
    };

    private static readonly (string System, Regex Pattern)[] Patterns = Order.Where(s => Lexicon[s].Count > 0)
        .Select(s => (s, new Regex(@"\b(?:" + string.Join("|", Lexicon[s].Select(Word)) + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)))
        .ToArray();

    /// <summary>Phrases decided before the per-system order (an effusion that is not pleural).</summary>
    private static readonly (string System, Regex Pattern)[] Overrides =
    [
        ("heart/mediastinum", new Regex(@"\bpericardial\s+effusions?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)),
    ];

    /// <summary>The organ system of one sentence.</summary>
    public static string Classify(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        foreach (var (system, pattern) in Overrides)
            if (pattern.IsMatch(sentence)) return system;
        foreach (var (system, pattern) in Patterns)
            if (pattern.IsMatch(sentence)) return system;
        return "other";
    }

    /// <summary>Sentences per system, every system present (empty lists included), in <see cref="Order"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Group(IEnumerable<string> sentences)
    {
        var groups = Order.ToDictionary(s => s, _ => new List<string>());
        foreach (var sentence in sentences) groups[Classify(sentence)].Add(sentence);
        // Insertion order is the output order (Order); callers serialise it as is.
        return Order.ToDictionary(s => s, s => (IReadOnlyList<string>)groups[s]);
    }

    private static string Word(string keyword) =>
        keyword.EndsWith('*') ? Regex.Escape(keyword[..^1]) + @"\w*" : Regex.Escape(keyword).Replace(@"\ ", @"[\s-]+");
}
