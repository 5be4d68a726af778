namespace ReportGen.Pipelines.Structuring;

/// <summary>What a lexicon word or phrase is to the rules engine.</summary>
internal enum LexKind : byte
{
    None = 0,
    /// <summary>A body part (ANAT-DP): lung, lobe, pleural, hilar, ...</summary>
    Anatomy,
    /// <summary>An anatomical attribute noun that modifies the organ before it: "heart size", "mediastinal contours".</summary>
    AnatomyAttribute,
    /// <summary>Laterality / position words, anatomy that modifies the next anatomy: left, right, bilateral, upper.</summary>
    AnatomyModifier,
    /// <summary>An observation head: effusion, opacity, normal, clear, enlarged, tube, ...</summary>
    Observation,
    /// <summary>A modifier of an observation (small, mild, acute, new); stands alone when nothing to modify: "heart size is stable".</summary>
    ObservationModifier,
    /// <summary>A measurement unit (cm, mm): with its number, a modifier.</summary>
    Unit,
    /// <summary>Starts a negation scope: no, without, negative for, free of.</summary>
    NegationPre,
    /// <summary>Negates what came before in the clause: "is not seen", "has resolved", "absent".</summary>
    NegationPost,
    /// <summary>Starts an uncertainty scope: may, possible, likely, concerning for.</summary>
    UncertaintyPre,
    /// <summary>Makes what came before uncertain: "cannot be excluded", "not ruled out".</summary>
    UncertaintyPost,
    /// <summary>Alternatives: "versus", "vs": both sides uncertain.</summary>
    Versus,
    /// <summary>Ends negation/uncertainty scope: but, however, although, which, ";".</summary>
    ScopeBreak,
    /// <summary>Copula or reporting verb: is, are, appear, remain, ...</summary>
    Verb,
    /// <summary>Preposition linking an observation to where it is: in, at, within, of, along, ...</summary>
    Preposition,
    /// <summary>Articles and quantifiers that sit inside a noun phrase: the, a, both.</summary>
    Determiner,
    /// <summary>Words consumed so they do not become entities: "lateral view", "appearance", "interval".</summary>
    NotAnEntity,
}

/// <summary>A lexicon payload; <see cref="Suggestive"/> marks cues that also link two observations (suggestive_of).</summary>
internal readonly record struct LexEntry(LexKind Kind, bool Suggestive = false, bool StandsAlone = false);

/// <summary>
/// The rules engine's vocabulary: a word trie (lower-cased words → entry, longest phrase wins) built once.
/// Observation terms start from the CheXpert labeler's mention phrases (stanfordmlgroup/chexpert-labeler, MIT),
/// split into the single words RadGraph annotates; anatomy, modifiers and cues are our own.
/// </summary>
internal sealed class RadGraphLexicon
{
    private sealed class Node
    {
        public Dictionary<string, Node>? Next;
        public LexEntry? Entry;
    }

    private readonly Node _root = new() { Next = new Dictionary<string, Node>(StringComparer.Ordinal) };
    private readonly string[] _observationStems;
    private readonly string[] _modifierStems;

    // Built on first use, after the word lists below are initialised.
    public static RadGraphLexicon Default => Holder.Instance;

    private static class Holder
    {
        public static readonly RadGraphLexicon Instance = new();
    }

    private RadGraphLexicon()
    {
        AddAll(LexKind.Anatomy, Anatomy);
        AddAll(LexKind.AnatomyAttribute, AnatomyAttributes);
        AddAll(LexKind.AnatomyModifier, AnatomyModifiers);
        AddAll(LexKind.Observation, Observations);
        foreach (var m in ObservationModifiers) Add(m, new LexEntry(LexKind.ObservationModifier, StandsAlone: StandAloneModifiers.Contains(m)));
        AddAll(LexKind.Unit, Units);
        AddAll(LexKind.NegationPre, NegationPre);
        AddAll(LexKind.NegationPost, NegationPost);
        foreach (var u in UncertaintyPre) Add(u, new LexEntry(LexKind.UncertaintyPre, Suggestive: SuggestiveUncertain.Contains(u)));
        AddAll(LexKind.UncertaintyPost, UncertaintyPost);
        foreach (var s in SuggestiveCertain) Add(s, new LexEntry(LexKind.None, Suggestive: true));
        AddAll(LexKind.Versus, ["versus", "vs", "vs ."]);
        AddAll(LexKind.ScopeBreak, ScopeBreaks);
        AddAll(LexKind.Verb, Verbs);
        AddAll(LexKind.Preposition, Prepositions);
        AddAll(LexKind.Determiner, Determiners);
        AddAll(LexKind.NotAnEntity, NotEntities);
        _observationStems = ObservationStems;
        _modifierStems = ModifierStems;
    }

    /// <summary>Longest lexicon phrase starting at <paramref name="start"/>: its entry and word count (0 when none).</summary>
    public (LexEntry Entry, int Length) Match(string[] lowerWords, int start, int end)
    {
        var node = _root;
        LexEntry best = default;
        var bestLength = 0;
        for (var i = start; i < end; i++)
        {
            if (node.Next is null || !node.Next.TryGetValue(lowerWords[i], out var child)) break;
            node = child;
            if (node.Entry is { } e) { best = e; bestLength = i - start + 1; }
        }
        if (bestLength > 0) return (best, bestLength);
        var fallback = Fallback(lowerWords[start]);
        return fallback.Kind == LexKind.None ? (default, 0) : (fallback, 1);
    }

    /// <summary>
    /// The scope cue starting at <paramref name="start"/> and its word count: <see cref="LexKind.NegationPre"/> ("no",
    /// "free of"), <see cref="LexKind.NegationPost"/> ("is not seen", "has resolved") or <see cref="LexKind.ScopeBreak"/>
    /// ("but", "however", "which"); (None, 0) when the longest phrase there is something else ("not excluded" is
    /// uncertainty, not negation).
    /// </summary>
    public (LexKind Kind, int Length) ScopeCue(string[] lowerWords, int start, int end)
    {
        var (entry, length) = Match(lowerWords, start, end);
        return entry.Kind is LexKind.NegationPre or LexKind.NegationPost or LexKind.ScopeBreak ? (entry.Kind, length) : (LexKind.None, 0);
    }

    // Plurals, hyphenated compounds and CheXpert-style stems ("atelecta", "consolidat", "opaci").
    private LexEntry Fallback(string w)
    {
        if (w.Length < 3) return default;
        if (w.EndsWith("ies", StringComparison.Ordinal) && Single(w[..^3] + "y") is { } y && IsNounKind(y.Kind)) return y;
        if (w.EndsWith("es", StringComparison.Ordinal) && Single(w[..^2]) is { } es && IsNounKind(es.Kind)) return es;
        if (w.EndsWith('s') && Single(w[..^1]) is { } s && IsNounKind(s.Kind)) return s;
        var dash = w.LastIndexOf('-');
        if (dash > 0 && dash < w.Length - 1)
        {
            var last = Single(w[(dash + 1)..]) ?? Fallback(w[(dash + 1)..]);
            if (last is { } l && l.Kind is LexKind.Anatomy or LexKind.Observation or LexKind.ObservationModifier or LexKind.AnatomyModifier) return l;
            // "chronic-appearing", "mass-effect": a known finding word before the dash makes a modifier.
            if (last.Kind == LexKind.None && Single(w[..dash]) is { Kind: LexKind.Observation or LexKind.ObservationModifier }) return new LexEntry(LexKind.ObservationModifier);
        }
        foreach (var stem in _observationStems)
            if (w.StartsWith(stem, StringComparison.Ordinal)) return new LexEntry(LexKind.Observation);
        foreach (var stem in _modifierStems)
            if (w.StartsWith(stem, StringComparison.Ordinal)) return new LexEntry(LexKind.ObservationModifier);
        // "7th rib", "4th": an ordinal is a level, like "seventh".
        if (char.IsAsciiDigit(w[0]) && w[^2..] is "st" or "nd" or "rd" or "th" && w[..^2].All(char.IsAsciiDigit)) return new LexEntry(LexKind.AnatomyModifier);
        // Medical word endings name findings the lists miss: "-osis", "-itis", "-megaly", "-ectomy", ...
        if (!NotFindings.Contains(w))
            foreach (var suffix in ObservationSuffixes)
                if (w.Length > suffix.Length + 2 && w.EndsWith(suffix, StringComparison.Ordinal)) return new LexEntry(LexKind.Observation);
        return default;
    }

    private static bool IsNounKind(LexKind k) => k is LexKind.Anatomy or LexKind.AnatomyAttribute or LexKind.Observation;

    private LexEntry? Single(string w) => _root.Next!.TryGetValue(w, out var n) && n.Entry is { } e ? e : null;

    private void AddAll(LexKind kind, IEnumerable<string> phrases)
    {
        foreach (var p in phrases) Add(p, new LexEntry(kind));
    }

    private void Add(string phrase, LexEntry entry)
    {
        var node = _root;
        foreach (var word in ReportGen.Core.Text.RadGraphTokenizer.Words(phrase.ToLowerInvariant()))
        {
            node.Next ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!node.Next.TryGetValue(word, out var child)) node.Next[word] = child = new Node();
            node = child;
        }
        node.Entry ??= entry; // first definition wins: lists below go from specific to general
    }

    private static readonly string[] Anatomy =
    [
        "lung", "lungs", "pulmonary", "lobe", "lobes", "lobar", "lingula", "lingular", "apex", "apices", "apical", "biapical",
        "base", "bases", "basilar", "bibasilar", "basal", "bibasal", "zone", "zones", "hemithorax", "hemithoraces",
        "costophrenic", "cardiophrenic", "angle", "angles", "sulcus", "sulci", "heart", "cardiac", "cardio", "cardiomediastinal",
        "cardiomediastinum", "cardiopulmonary", "cardiothoracic", "mediastinum", "mediastinal", "hilum", "hila", "hilar", "perihilar",
        "aorta", "aortic", "arch", "knob", "diaphragm", "diaphragms", "hemidiaphragm", "hemidiaphragms", "diaphragmatic",
        "spine", "spinal", "thoracic", "lumbar", "cervical", "thoracolumbar", "vertebra", "vertebrae", "vertebral", "rib", "ribs",
        "clavicle", "clavicles", "pleura", "pleural", "pleurae", "trachea", "tracheal", "bronchus", "bronchi", "bronchial",
        "chest", "thorax", "thoraces", "vascularity", "vasculature", "vascular", "vessels", "vessel", "parenchyma", "parenchymal",
        "interstitium", "interstitial", "airspace", "airspaces", "air space", "alveolar", "bony", "osseous",
        "bone", "bones", "skeletal", "skeleton", "soft tissues", "soft tissue", "abdomen", "subdiaphragmatic", "stomach", "bowel",
        "colon", "liver", "spleen", "shoulder", "shoulders", "humerus", "humeral", "scapula", "scapulae", "sternum", "sternal",
        "retrocardiac", "retrosternal", "paratracheal", "azygos", "vena cava", "cava", "atrium", "atrial", "ventricle", "ventricular",
        "neck", "axilla", "axillary", "breast", "breasts", "fissure", "fissures", "costal", "pericardial", "pericardium",
        "esophagus", "esophageal", "hiatal", "hiatus", "gastric", "gastroesophageal", "carina", "mainstem", "airway", "airways",
        "segment", "segments", "field", "fields", "svc", "ij", "jugular", "subclavian", "brachiocephalic",
        "cavoatrial", "junction", "hemidiaphragmatic", "pectus", "glenohumeral", "acromioclavicular", "ac joint", "joint", "joints",
        "clear space", "pelvis", "disc", "discs", "disk", "disks", "intervertebral", "epigastric", "bronchovascular", "peribronchial",
        "endplate", "endplates", "glenoid", "acromion", "coracoid", "hemithoracic", "paraspinal", "intraperitoneal", "peritoneal", "subcutaneous", "wall",
        "trachea", "costochondral", "cartilage", "cartilages", "venous", "arterial", "artery", "arteries",
        "lymph", "node", "nodes", "nipple", "nipples", "tissue", "tissues", "body", "bodies", "structures", "outline",
        // Seen in IU X-ray training reports (never the evaluated ones): regions, vessels and skeletal parts.
        "midlung", "midlungs", "quadrant", "quadrants", "t-spine", "midthoracic", "aspect", "aspects", "region", "regions",
        "coronary", "epicardial", "fat", "pad", "pads", "abdominal", "vein", "veins", "caval", "cortical", "cortex", "knee", "ankle",
        "hip", "extremity", "extremities", "suprahilar", "infrahilar", "fissural", "colonic", "femoral", "skin", "recess",
        "stripe", "loops", "head", "elements", "osseus", "septal", "interlobular", "subpleural", "hilus",
        "kidney", "kidneys", "renal", "ureteral", "gallbladder", "thyroid", "portion", "portions", "inlet",
    ];

    // Nouns that describe an organ's property; they modify the organ written before them.
    private static readonly string[] AnatomyAttributes =
    [
        "size", "contour", "contours", "silhouette", "silhouettes", "configuration", "caliber", "volume", "volumes", "shadow",
        "outline", "margins", "margin", "borders", "border",
    ];

    private static readonly string[] AnatomyModifiers =
    [
        "left", "right", "bilateral", "bilaterally", "left-sided", "right-sided", "upper", "lower", "middle", "mid",
        "lateral", "medial", "anterior", "posterior", "superior", "inferior", "central", "peripheral", "posterolateral",
        "anterolateral", "inferolateral", "superolateral", "distal", "proximal", "main", "second", "third", "fourth", "fifth",
        "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
        "ascending", "descending", "transverse", "internal", "posteriorly", "anteriorly", "laterally", "medially", "centrally",
        "peripherally", "inferiorly", "superiorly",
    ];

    private static readonly string[] Observations =
    [
        // CheXpert mention phrases, as single RadGraph words.
        "effusion", "effusions", "pneumothorax", "pneumothoraces", "opacity", "opacities", "opacification", "opacifications",
        "consolidation", "consolidations", "consolidative", "atelectasis", "atelectases", "atelectatic", "collapse", "edema", "oedema",
        "cardiomegaly", "nodule", "nodules", "mass", "masses", "fracture", "fractures", "fractured",
        "infiltrate", "infiltrates", "infiltration", "pneumonia", "pneumonias", "infection", "process",
        "disease", "abnormality", "abnormalities", "abnormal", "fluid", "emphysema", "hyperinflation", "hyperinflated",
        "hyperexpansion", "hyperexpanded", "hyperlucent", "hyperlucency", "hyperaeration", "scarring", "scar", "scars",
        "granuloma", "granulomas", "granulomata", "calcification", "calcifications", "calcified", "changes", "change",
        "spondylosis", "osteophytes", "osteophyte", "osteophytosis", "scoliosis", "kyphosis", "tortuosity", "tortuous",
        "unfolded", "unfolding", "atherosclerosis", "ectasia", "ectatic", "hernia", "thickening", "markings", "marking",
        "prominence", "congestion", "cephalization", "pacemaker", "pacer", "tube", "tubes", "line", "lines", "catheter",
        "catheters", "wire", "wires", "sternotomy", "clip", "clips", "hardware", "device", "devices", "lead", "leads", "port",
        "stent", "stents", "findings", "finding", "lesion", "lesions", "density", "densities", "lucency", "lucencies",
        "pneumoperitoneum", "pneumomediastinum", "deformity", "deformities", "blunting", "blunted", "elevation", "enlargement",
        "enlarged", "normal", "unremarkable", "clear", "intact", "aerated", "expanded", "inflated", "midline", "metastasis",
        "metastases", "tumor", "tumors", "carcinoma", "neoplasm", "bronchiectasis", "fibrosis", "fibrotic", "copd", "asthma",
        "bulla", "bullae", "bullous", "cyst", "cysts", "cavitation", "cavity", "pneumonitis", "aspiration", "contusion",
        "hematoma", "hemorrhage", "osteopenia", "osteoporosis", "demineralization", "sutures", "anastomosis", "air",
        "cardiomegally", "hyperinflation", "eventration", "plaque", "plaques", "bronchitis", "cuffing", "hypertension",
        "arthropathy", "arthritis", "osteoarthritis", "tracheostomy", "drain", "valve", "icd", "defibrillator", "picc",
        "apparatus", "coil", "coils", "marker", "markers", "plate", "plates", "screw", "screws", "prosthesis", "replacement",
        "arthroplasty", "thoracotomy", "lobectomy", "pneumonectomy", "mastectomy", "cholecystectomy", "surgery", "embolism",
        "infarct", "infarction", "adenopathy", "lymphadenopathy", "widening", "widened", "narrowing",
        "shift", "displacement", "displaced", "rotation", "rotated", "obscured", "obscuration", "silhouetting", "well-expanded",
        "well-aerated", "aerated", "low", "shallow", "hypoinflation", "hypoventilation", "inspiration", "dextroscoliosis",
        "levoscoliosis", "dextrocurvature", "levocurvature", "curvature", "lordosis", "kyphoscoliosis", "height", "loss",
        "wedging", "compression", "sclerosis", "sclerotic", "lytic", "erosion", "erosions", "dislocation", "separation",
        "subluxation", "hypertrophy", "cardiomyopathy", "failure", "chf", "overload",
        "indistinctness", "haziness", "reticulation", "heterogeneous", "nodularity", "spur", "spurs",
        "osteotomy", "fixation", "cerclage", "wiring", "emphysematous",
        "flattening", "flattened", "distension", "distention", "dilatation", "dilation", "dilated",
        "deviation", "calcific", "pneumopericardium", "hydropneumothorax",
        "empyema", "abscess", "enchondroma", "cabg", "crowding", "bypass", "grafting", "graft", "scarring", "malignancy", "lymphoma", "sarcoidosis", "tuberculosis", "histoplasmosis", "bronchospasm", "aneurysm", "dissection", "atelectasis",
        // Seen in IU X-ray training reports (never the evaluated ones).
        "sequela", "sequelae", "engorgement", "artifact", "artifacts", "irregularity", "irregularities", "injury", "injuries",
        "formation", "aeration", "accentuated", "accentuation", "fragment", "fragments", "retraction", "destruction", "tubing",
        "suture", "material", "osteopenic", "fullness", "shunt", "prostheses", "dish", "generator", "spurring", "tenting",
        "remarkable", "hypoinflated", "well-inflated", "underinflated", "underinflation", "hypoexpanded", "hypoexpansion",
        "thickened", "opacified", "kyphotic", "resection", "honeycombing", "bronchiectatic", "aicd", "cath", "staples", "staple",
        "bullet", "callus", "excavatum", "hyperaerated", "overinflated", "overinflation", "pneumonic", "pleurisy",
        "calcinosis", "ossification", "lymphadenopathies", "heterogeneity", "mottling", "infiltrative", "effacement",
        "collection", "collections", "hemothorax", "chylothorax", "kerley",
    ];

    // Modifiers of observations; those in StandAloneModifiers become observations when predicated of anatomy.
    private static readonly string[] ObservationModifiers =
    [
        "small", "large", "tiny", "moderate", "moderately", "mild", "mildly", "minimal", "minimally", "severe", "severely",
        "massive", "trace", "slight", "slightly", "marked", "markedly", "significant", "acute", "chronic", "old", "new",
        "healed", "healing", "stable", "increased", "increasing", "decreased", "decreasing", "worsening", "worsened", "worse",
        "improved", "improving", "improvement", "persistent", "persisting", "residual", "focal", "diffuse", "diffusely", "patchy",
        "streaky", "linear", "subsegmental", "segmental", "bandlike", "band-like", "platelike", "plate-like", "discoid",
        "scattered", "multiple", "several", "few", "numerous", "confluent", "hazy", "ill-defined", "well-defined", "degenerative",
        "minor", "prominent", "coarse", "coarsened", "reticular", "reticulonodular", "nodular", "loculated", "layering",
        "free", "borderline", "atherosclerotic", "compressive", "dependent", "granulomatous", "remote", "postoperative",
        "post-operative", "postsurgical", "post-surgical", "surgical", "dense", "faint", "subtle",
        "extensive", "early", "resolving", "multilevel", "enteric", "obstructive", "poorly defined", "poorly-defined", "inflammatory", "parapneumonic", "active", "arthritic", "engorged", "hyperdense", "enlarging", "top-normal",
        "upper-normal", "rounded",
        "round", "irregular", "spiculated", "ground-glass", "ground glass", "retained", "minimal", "mass-like", "masslike", "wedge-shaped", "curvilinear", "small-to-moderate",
        "moderate-to-large", "mild-to-moderate", "moderate-to-severe", "low-lying", "elevated", "elongated", "partial", "complete", "large-bore", "similar", "upper limits", "upper limit", "high normal", "low normal",
        "unchanged", "exaggerated", "noncalcified", "non-calcified", "superimposed", "symmetric", "asymmetric", "overt", "radiopaque", "posttraumatic",
        "post-traumatic", "wedge", "destructive", "tuberculous", "discrete", "cystic", "thin", "dual-lumen", "tunneled", "corticated",
        "marginal", "hypoventilatory", "scoliotic", "age-indeterminate", "diminished", "smaller", "larger", "monitor", "lucent",
        "cavitary", "infectious", "vague", "indistinct", "external", "bulky", "punctate",
    ];

    private static readonly HashSet<string> StandAloneModifiers = new(StringComparer.Ordinal)
    {
        "stable", "increased", "decreased", "improved", "worsened", "worse", "prominent", "elevated", "small", "large",
        "low-lying", "elongated", "improvement", "persistent", "similar", "top-normal", "upper-normal", "borderline", "engorged",
        "diminished", "smaller", "larger", "exaggerated", "unchanged", "atherosclerotic",
    };

    private static readonly string[] ObservationStems = ["atelecta", "consolidat", "opacifi", "calcifi", "degenerat", "atherosclero", "hyperinflat", "hyperexpan", "osteophyt", "granulom", "cardiomegal", "pneumoth", "effusio"];
    private static readonly string[] ModifierStems = [];

    private static readonly string[] ObservationSuffixes =
    [
        "osis", "oses", "itis", "oma", "omas", "omata", "megaly", "opathy", "ectasis", "ectomy", "ectomies", "otomy", "ostomy", "plasty",
        "plasties", "penia", "trophy", "lithiasis", "orrhage",
    ];

    // Words with those endings that are no finding.
    private static readonly HashSet<string> NotFindings = new(StringComparer.Ordinal) { "diagnosis", "prognosis", "stoma", "diploma" };

    private static readonly string[] Units = ["cm", "mm", "centimeter", "centimeters", "millimeter", "millimeters", "m", "%"];

    private static readonly string[] NegationPre =
    [
        "no", "not", "without", "negative for", "free of", "no evidence of", "no evidence for", "no signs of", "no sign of",
        "absence of", "clear of", "resolution of", "rather than", "none", "neither", "nor", "never", "no definite",
        "no convincing", "no longer", "removal of", "lack of", "not seen", "no visible", "no radiographic evidence of",
        "negative",
        // es / fr / de / da cues make the rules engine degrade gracefully on translated text
        "sin", "ningún", "ninguna", "pas de", "sans", "absence de", "kein", "keine", "keinen", "ohne", "ingen", "intet",
    ];

    private static readonly string[] NegationPost =
    [
        "is absent", "are absent", "absent", "has resolved", "have resolved", "resolved", "has cleared", "have cleared", "is not seen", "are not seen",
        "not seen", "not identified", "not visualized", "not present", "not evident", "not demonstrated", "not appreciated",
        "not noted", "not detected", "no longer seen", "no longer visualized", "has been removed", "have been removed", "removed",
    ];

    private static readonly string[] UncertaintyPre =
    [
        "may", "might", "could", "possible", "possibly", "probable", "probably", "likely", "most likely", "questionable",
        "question of", "suspicious for", "suspected", "suspect", "suspicion of", "concerning for", "concern for", "suggestive of",
        "suggest", "suggests", "suggesting", "to suggest", "may represent", "could represent", "might represent", "may reflect",
        "could reflect", "differential", "differential diagnosis", "consider", "considered", "worrisome for", "equivocal",
        "presumed", "presumably", "indeterminate", "uncertain", "unclear", "cannot exclude", "can not exclude",
        "cannot rule out", "can not rule out", "not exclude", "would", "question", "apparent", "appears to represent", "probably represents", "likely represents",
        "likely representing", "possibly representing", "may be", "could be", "?", "suspicious", "concerning",
        "favored", "favor", "favoring", "favored to represent", "questionably", "borderline for", "appear to represent",
        "appears to be", "appear to be",
    ];

    private static readonly HashSet<string> SuggestiveUncertain = new(StringComparer.Ordinal)
    {
        "suspicious for", "concerning for", "concern for", "suggestive of", "suggest", "suggests", "suggesting", "to suggest",
        "may represent", "could represent", "might represent", "may reflect", "could reflect", "worrisome for", "likely",
        "most likely", "probably", "appears to represent", "probably represents", "likely represents", "likely representing",
        "possibly representing", "may be", "could be", "favored to represent", "favoring", "favor", "appear to represent",
    };

    private static readonly string[] UncertaintyPost =
    [
        "cannot be excluded", "can not be excluded", "not be excluded", "not excluded", "cannot be ruled out",
        "can not be ruled out", "not be ruled out", "not ruled out", "is not excluded", "are not excluded", "is suspected",
        "are suspected", "is questioned", "is possible", "are possible", "is likely", "are likely", "is not entirely excluded",
    ];

    private static readonly string[] SuggestiveCertain =
    [
        "consistent with", "compatible with", "representing", "represents", "represent", "reflecting", "reflects", "reflect",
        "indicative of", "indicating", "corresponding to", "indicates", "due to", "secondary to", "related to", "characteristic of", "in keeping with",
        "diagnostic of", "compatible", "consistent",
    ];

    private static readonly string[] ScopeBreaks =
    [
        ";", ".", "but", "however", "although", "though", "except", "which", "whereas", "while", "otherwise", "aside from",
        "apart from", "other than", "yet", "there", "this", "these", "that", "is seen", "are seen", "is noted", "are noted",
        "is present", "are present", "is again", "are again", "has", "have", "had", "since", "and the", ", the", "following", "after", "status post", "s / p", "post", "given",
    ];

    private static readonly string[] Verbs =
    [
        "is", "are", "was", "were", "be", "been", "being", "appear", "appears", "appeared", "remain", "remains", "remained",
        "seem", "seems", "demonstrate", "demonstrates", "demonstrated", "show", "shows", "shown", "measure", "measures",
        "measuring", "noted", "seen", "identified", "present", "visualized", "visible", "projects", "overlies",
        "overlie", "extends", "extending", "looks", "look",
    ];

    private static readonly string[] Prepositions =
    [
        "in", "at", "within", "of", "along", "involving", "over", "overlying", "projecting over", "throughout", "near",
        "adjacent to", "about", "from", "into", "to", "on", "above", "below", "behind", "beneath", "under", "underlying",
        "through", "across", "around", "between", "posterior to", "anterior to", "lateral to", "medial to", "in the region of",
        "at the level of", "by", "obscuring", "abutting", "projecting",
    ];

    // Phrases that look like anatomy or findings but name the examination ("lateral view").
    private static readonly string[] NotEntities =
    [
        "lateral view", "lateral views", "lateral radiograph", "lateral radiographs", "lateral projection", "lateral film",
        "frontal and lateral", "pa and lateral", "ap and lateral", "frontal view", "frontal views", "lateral image",
        "lateral images", "on lateral", "the lateral", "frontal", "chest radiograph", "chest x-ray", "chest film",
        "limits", "appearance", "lateral chest examination", "chest examination", "prior", "interval", "previous", "recent", "examination", "study", "evaluation",
    ];

    private static readonly string[] Determiners =
    [
        "the", "a", "an", "both", "each", "either", "its", "their", "any", "some", "all", "two", "three", "one",
        "single", "other", "another", "additional", "area of", "areas of", "focus of", "foci of",
    ];
}
