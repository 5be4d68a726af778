using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Classification;

/// <summary>A detected language: ISO 639-1 code ("und" when undetermined), confidence 0..1, and whether the
/// labeller has rules for it.</summary>
public sealed record DetectedLanguage(string Code, double Confidence, bool Supported);

/// <summary>
/// Small, dependency-free language identification for report text: Unicode script ranges first (Japanese
/// kana; Han without kana is Chinese; Cyrillic, Greek, Arabic, Hangul), then stopword and letter profiles for
/// the Latin-script languages (en, es, fr, da, de, with it/pt/nl recognised so they are reported, not mislabelled).
/// </summary>
public static class LanguageDetector
{
    /// <summary>Languages the rules engine has cues for.</summary>
    public static IReadOnlyList<string> Supported => Rules.RulesLabeler.SupportedLanguages;   // one list: the languages the rules have cues for

    // Function words plus frequent radiology words per language, written folded (TextFolding: lower case, accents
    // removed, Danish æ/ø/å kept).
    private static readonly Dictionary<string, HashSet<string>> Stopwords = new Dictionary<string, string[]>
    {
        ["en"] = ["the", "and", "of", "is", "are", "no", "with", "there", "in", "to", "without", "or", "normal", "seen", "heart", "lungs", "clear", "size", "evidence", "left", "right", "pleural", "effusion", "a", "was", "not", "acute", "mild", "small", "chest", "lung", "enlarged", "opacity", "cardiomegaly", "findings", "impression", "bilateral", "stable", "possible"],
        ["es"] = ["el", "la", "los", "las", "de", "del", "y", "en", "con", "sin", "se", "que", "por", "un", "una", "derrame", "pulmonar", "pulmonares", "observa", "hay", "tamano", "izquierdo", "derecho", "signos", "cardiomegalia", "leve", "torax", "hallazgos", "opacidad", "atelectasia", "aumento", "campos", "consolidacion", "neumotorax", "neumonia", "silueta", "cardiaca", "posible", "ni", "sugestivo", "ausencia", "pleural"],
        ["fr"] = ["le", "la", "les", "de", "des", "du", "et", "en", "avec", "sans", "pas", "est", "sont", "une", "un", "d", "l", "au", "aux", "epanchement", "pulmonaire", "cardiaque", "droit", "gauche", "absence", "normale", "cardiomegalie", "pneumopathie", "poumons", "opacite", "thorax", "moderee", "discrete", "silhouette", "evocateur", "evocatrice", "n", "y", "a", "il", "pleural", "pleurale"],
        ["da"] = ["og", "i", "af", "er", "ikke", "ingen", "med", "uden", "der", "ses", "til", "på", "en", "et", "den", "det", "hjertet", "lungerne", "normale", "normalt", "venstre", "højre", "som", "eller", "pleuraeksudat", "let", "fortætning", "kardiomegali", "lunger", "tegn", "mulig", "størrelse", "pneumoni", "formentlig"],
        ["de"] = ["der", "die", "das", "und", "ist", "sind", "kein", "keine", "keinen", "mit", "ohne", "nicht", "im", "in", "des", "ein", "eine", "beidseits", "rechts", "links", "herz", "lunge", "unauffallig", "nachweis", "regelrecht", "oder", "pleuraerguss", "erguss", "kardiomegalie", "leichte", "infiltrat", "pneumonie", "verdacht", "zeichen", "befund", "herzgrosse", "auf", "eines"],
        ["it"] = ["il", "lo", "gli", "di", "e", "non", "con", "senza", "si", "della", "del", "versamento", "polmonare", "cuore", "nella", "sono", "pleurico", "nei", "limiti", "norma", "osserva"],
        ["pt"] = ["o", "os", "da", "do", "e", "nao", "com", "sem", "em", "coracao", "sao", "uma", "um", "dos", "das"],
        ["nl"] = ["de", "het", "en", "een", "geen", "met", "zonder", "van", "is", "zijn", "niet", "hart", "longen", "links", "rechts", "pleuravocht"],
    }.ToDictionary(kv => kv.Key, kv => kv.Value.ToHashSet(StringComparer.Ordinal));

    /// <summary>Detects the language of <paramref name="text"/>; never throws.</summary>
    public static DetectedLanguage Detect(string text)
    {
        int kana = 0, han = 0, hangul = 0, cyrillic = 0, greek = 0, arabic = 0, latin = 0;
        foreach (var c in text)
        {
            if (c is >= '\u3040' and <= '\u30FF') kana++;
            else if (c is >= '\u4E00' and <= '\u9FFF') han++;
            else if (c is >= '\uAC00' and <= '\uD7AF') hangul++;
            else if (c is >= '\u0400' and <= '\u04FF') cyrillic++;
            else if (c is >= '\u0370' and <= '\u03FF') greek++;
            else if (c is >= '\u0600' and <= '\u06FF') arabic++;
            else if (char.IsAsciiLetter(c) || c is >= '\u00C0' and <= '\u024F') latin++;
        }
        var letters = kana + han + hangul + cyrillic + greek + arabic + latin;
        if (letters == 0) return new DetectedLanguage("und", 0, false);
        if (kana + han > 0.3 * letters) return kana > 0 ? Result("ja", (kana + han) / (double)letters) : Result("zh", han / (double)letters);
        if (hangul > 0.3 * letters) return Result("ko", hangul / (double)letters);
        if (cyrillic > 0.3 * letters) return Result("ru", cyrillic / (double)letters);
        if (greek > 0.3 * letters) return Result("el", greek / (double)letters);
        if (arabic > 0.3 * letters) return Result("ar", arabic / (double)letters);
        return LatinProfile(text);
    }

    private static DetectedLanguage Result(string code, double confidence) =>
        new(code, Math.Round(Math.Clamp(confidence, 0, 1), 3), Supported.Contains(code));

    private static DetectedLanguage LatinProfile(string text)
    {
        var raw = text.Split((char[])[' ', '\n', '\r', '\t', '.', ',', ';', ':', '(', ')', '\'', '’', '"', '!', '?', '/', '-'], StringSplitOptions.RemoveEmptyEntries);
        var words = raw.Select(TextFolding.Fold).ToArray();
        if (words.Length == 0) return new DetectedLanguage("und", 0, false);
        var scores = Stopwords.ToDictionary(kv => kv.Key, kv => (double)words.Count(kv.Value.Contains));
        // Letters only one language uses are strong evidence.
        var lower = text.ToLowerInvariant();
        scores["es"] += 3 * lower.Count(c => c is 'ñ' or '¿' or '¡') + (lower.Split("ción").Length - 1);
        scores["fr"] += 2 * lower.Count(c => c is 'è' or 'ê' or 'ç' or 'œ' or 'à') + lower.Count(c => c == 'é') * 0.5;
        scores["da"] += 3 * lower.Count(c => c is 'æ' or 'ø' or 'å');
        scores["de"] += 3 * lower.Count(c => c is 'ß') + lower.Count(c => c is 'ä' or 'ö' or 'ü');
        // German capitalises nouns: capitalised words inside a sentence.
        for (var i = 1; i < raw.Length; i++)
        {
            if (char.IsUpper(raw[i][0]) && raw[i].Length > 3 && !raw[i].All(char.IsUpper) && !EndsSentence(text, raw[i - 1])) scores["de"] += 0.5;
        }
        var ordered = scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key == "en" ? 0 : 1).ToList();
        var best = ordered[0];
        var second = ordered[1].Value;
        if (best.Value < 1) return new DetectedLanguage("und", 0, false);
        // Confidence: the best score's share of the top two, scaled by how much of the text it explains.
        var share = best.Value / (best.Value + second);
        var coverage = Math.Min(1, best.Value / Math.Max(2, words.Length * 0.25));
        var confidence = share * coverage;
        // A tie is only resolved for English (short "No pneumothorax." is English or Spanish; English rules are the fallback anyway).
        if (best.Value == second && best.Key != "en") return new DetectedLanguage("und", Math.Round(confidence, 3), false);
        return Result(best.Key, confidence);
    }

    private static bool EndsSentence(string text, string previousWord)
    {
        var at = text.IndexOf(previousWord, StringComparison.Ordinal);
        var after = at + previousWord.Length;
        return at >= 0 && after < text.Length && text[after] is '.' or ':' or '!' or '?';
    }
}
