namespace ReportGen.Core.Labels;

/// <summary>
/// A label set for classification (CheXpert 14, CT-RATE 18, or one a user sends): each label with a
/// description and synonyms per language. Loaded from <c>prompts/taxonomies/*.yaml</c> or built ad hoc.
/// </summary>
/// <param name="Id">Short id used on the command line and in requests (e.g. <c>chexpert14</c>).</param>
/// <param name="Name">Human-readable name.</param>
/// <param name="Description">What the taxonomy is for.</param>
/// <param name="Labels">The labels, in output order.</param>
public sealed record Taxonomy(string Id, string Name, string Description, IReadOnlyList<TaxonomyLabel> Labels)
{
    /// <summary>
    /// The label computed by CheXpert's "No Finding" logic (positive only when no other label, apart
    /// from <see cref="NoFindingIgnores"/>, is positive or uncertain); null when the taxonomy has none.
    /// </summary>
    public string? NoFindingLabel { get; init; }

    /// <summary>Labels that do not rule out "No Finding" (CheXpert: Support Devices).</summary>
    public IReadOnlyList<string> NoFindingIgnores { get; init; } = [];

    /// <summary>
    /// Phrases per language naming findings outside the labels; a positive or uncertain mention of one
    /// rules out "No Finding" (CheXpert's no_finding mention list: emphysema, scoliosis, ...).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OtherFindings { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// How synonyms match English text: <c>substring</c> (the CheXpert labeler's raw substring match, used by
    /// chexpert14 so its phrase stems such as "atelecta" work) or <c>word_start</c> (a synonym must start at
    /// a word boundary; the default).
    /// </summary>
    public string Matching { get; init; } = "word_start";

    /// <summary>
    /// Extra label values a mention implies (CheXpert: a positive or uncertain "chf" or "heart failure"
    /// makes Cardiomegaly uncertain).
    /// </summary>
    public IReadOnlyList<LabelImplication> Implications { get; init; } = [];

    /// <summary>
    /// Word stems per language that describe an organ as abnormal ("enlarg", "widen", "promin"): an organ mention
    /// (<see cref="TaxonomyLabel.OrganMentions"/>) is a finding only with one of them beside it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AbnormalDescriptors { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Few-shot examples for the LLM engine.</summary>
    public IReadOnlyList<TaxonomyExample> Examples { get; init; } = [];

    /// <summary>The label names in order.</summary>
    public IEnumerable<string> LabelNames => Labels.Select(l => l.Name);

    /// <summary>The label with this name (case-insensitive), or null.</summary>
    public TaxonomyLabel? Find(string name) =>
        Labels.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One label of a taxonomy.</summary>
/// <param name="Name">The label as it appears in output (e.g. <c>Pleural Effusion</c>).</param>
/// <param name="Description">What the label means (shown to the LLM).</param>
/// <param name="Synonyms">Phrases per language code (en, es, fr, da, de, ja) that mention the label.</param>
public sealed record TaxonomyLabel(string Name, string Description, IReadOnlyDictionary<string, IReadOnlyList<string>> Synonyms)
{
    /// <summary>Phrases per language that look like a mention but are not (CheXpert "unmention" lists).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Exclusions { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// Positional prefixes (English) that, placed before a synonym, make it a location rather than a finding
    /// ("over the heart" is not cardiomegaly); the synonyms listed in <see cref="PositionalExceptions"/> are exempt.
    /// </summary>
    public IReadOnlyList<string> PositionalPrefixes { get; init; } = [];

    /// <summary>Synonyms never treated as positional (CheXpert: "cardiomegaly", "cardiac enlargement").</summary>
    public IReadOnlyList<string> PositionalExceptions { get; init; } = [];

    /// <summary>
    /// Synonyms per language that only name the organ ("the heart", "mediastinum", "Herzgröße", "心陰影"): such a
    /// mention is a finding only when described as abnormal (<see cref="Taxonomy.AbnormalDescriptors"/>), so
    /// "heart and mediastinum normal" or "stable cardiomediastinal silhouette" is not read as one.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OrganMentions { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// Phrases per language that, anywhere in the same sentence, make a mention of this label not one (nodules
    /// "consistent with granulomatous disease" are healed granulomas, not a lung lesion).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> NotWith { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Synonyms for a language; falls back to the label name itself when the language has none.</summary>
    public IReadOnlyList<string> SynonymsFor(string language) =>
        Synonyms.TryGetValue(language, out var list) && list.Count > 0 ? list : [Name];

    /// <summary>Exclusions for a language (empty when none).</summary>
    public IReadOnlyList<string> ExclusionsFor(string language) =>
        Exclusions.TryGetValue(language, out var list) ? list : [];

    /// <summary>Organ mentions for a language (empty when none).</summary>
    public IReadOnlyList<string> OrganMentionsFor(string language) =>
        OrganMentions.TryGetValue(language, out var list) ? list : [];

    /// <summary>Sentence exclusions for a language (empty when none).</summary>
    public IReadOnlyList<string> NotWithFor(string language) =>
        NotWith.TryGetValue(language, out var list) ? list : [];
}

/// <summary>A mention of <paramref name="Phrase"/> that is positive or uncertain also gives <paramref name="Label"/> the value <paramref name="Value"/>.</summary>
public sealed record LabelImplication(string Phrase, string Label, LabelValue Value);

/// <summary>A few-shot example: a report text and its expected labels (labels absent are not mentioned).</summary>
public sealed record TaxonomyExample(string Text, IReadOnlyDictionary<string, LabelValue> Labels);
