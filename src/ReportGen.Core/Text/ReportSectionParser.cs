namespace ReportGen.Core.Text;

/// <summary>The kinds of report section the parser recognises.</summary>
public enum ReportSectionKind
{
    /// <summary>Indication, clinical history, reason for the examination.</summary>
    Indication,
    /// <summary>Technique / procedure.</summary>
    Technique,
    /// <summary>Comparison with prior studies.</summary>
    Comparison,
    /// <summary>Findings (the descriptive body).</summary>
    Findings,
    /// <summary>Impression / conclusion / diagnosis.</summary>
    Impression,
    /// <summary>Text before the first recognised header, or under a header the parser does not know.</summary>
    Other,
}

/// <summary>One section: its kind, the header as written (null when the text had none) and its body.</summary>
/// <param name="Kind">What the section is.</param>
/// <param name="Header">The header text as written, without the colon; null for headerless text.</param>
/// <param name="Text">The body, trimmed.</param>
/// <param name="Start">Offset of the body in the report text.</param>
public sealed record ReportSection(ReportSectionKind Kind, string? Header, string Text, int Start);

/// <summary>A report split into sections, in order of appearance.</summary>
/// <param name="Sections">The sections; a kind may occur more than once.</param>
public sealed record ReportSections(IReadOnlyList<ReportSection> Sections)
{
    /// <summary>The bodies of all sections of <paramref name="kind"/> joined by a blank line, or null when none.</summary>
    public string? Get(ReportSectionKind kind)
    {
        var parts = Sections.Where(s => s.Kind == kind && s.Text.Length > 0).Select(s => s.Text).ToList();
        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }

    /// <summary>The findings, or null.</summary>
    public string? Findings => Get(ReportSectionKind.Findings);

    /// <summary>The impression, or null.</summary>
    public string? Impression => Get(ReportSectionKind.Impression);
}

/// <summary>
/// Splits a radiology report into sections by their headers, in English, Spanish, French, Danish, German and
/// Japanese ("FINDINGS:", "Hallazgos:", "Résultats :", "Fund:", "Befund:", "所見：", "IMPRESSION:", "Conclusion :",
/// "Konklusion:", "Beurteilung:", "診断：", ...). Matching ignores case and diacritics. A header is recognised
/// (a) at the start of a line, followed by a colon or alone on its line, or (b) inside a line after a sentence
/// end, followed by a colon ("Indication: cough. Comparison: none."). Text with no header at all is findings.
/// </summary>
public static class ReportSectionParser
{
    private static readonly Dictionary<string, ReportSectionKind> Headers = BuildHeaders();
    private const int MaxHeaderLength = 40;

    /// <summary>Parses <paramref name="text"/> into sections.</summary>
    public static ReportSections Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var marks = FindHeaders(text);
        var sections = new List<ReportSection>();
        if (marks.Count == 0)
        {
            AddSection(sections, ReportSectionKind.Findings, null, text, 0, text.Length);
            return new ReportSections(sections);
        }
        AddSection(sections, ReportSectionKind.Other, null, text, 0, marks[0].HeaderStart);
        for (var m = 0; m < marks.Count; m++)
        {
            var end = m + 1 < marks.Count ? marks[m + 1].HeaderStart : text.Length;
            AddSection(sections, marks[m].Kind, marks[m].Header, text, marks[m].BodyStart, end, keepEmpty: true);
        }
        return new ReportSections(sections);
    }

    /// <summary>The section kind a header names ("Hallazgos" → Findings), or null when it is not a known header.</summary>
    public static ReportSectionKind? Classify(string header)
    {
        var key = NormalizeHeader(header);
        return Headers.TryGetValue(key, out var kind) ? kind : null;
    }

    private readonly record struct HeaderMark(ReportSectionKind Kind, string Header, int HeaderStart, int BodyStart);

    private static List<HeaderMark> FindHeaders(string text)
    {
        var marks = new List<HeaderMark>();
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0) lineEnd = text.Length;
            ScanLine(text, lineStart, lineEnd, marks);
            lineStart = lineEnd + 1;
        }
        return marks;
    }

    private static void ScanLine(string text, int lineStart, int lineEnd, List<HeaderMark> marks)
    {
        // Candidate header starts: the line start, and just after a sentence end inside the line.
        var segmentStart = lineStart;
        var first = true;
        for (var i = lineStart; i <= lineEnd; i++)
        {
            var atEnd = i == lineEnd;
            var c = atEnd ? '\n' : text[i];
            if (c is ':' or '：')
            {
                if (TryHeader(text, segmentStart, i, out var kind, out var header, out var headerStart) && (first || IsAfterSentenceEnd(text, headerStart, lineStart)))
                {
                    marks.Add(new HeaderMark(kind, header, headerStart, i + 1));
                    segmentStart = i + 1;
                    first = false;
                    continue;
                }
            }
            if (atEnd && first && TryHeader(text, segmentStart, TrimEndColonless(text, segmentStart, i), out var kind2, out var header2, out var start2))
            {
                // A header alone on its line, without a colon.
                marks.Add(new HeaderMark(kind2, header2, start2, Math.Min(i + 1, text.Length)));
                return;
            }
            if (c is '.' or '。' or ';' or '?' or '!')
            {
                segmentStart = i + 1;
                first = false;
            }
        }
    }

    private static int TrimEndColonless(string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return end;
    }

    private static bool IsAfterSentenceEnd(string text, int headerStart, int lineStart)
    {
        var k = headerStart - 1;
        while (k >= lineStart && char.IsWhiteSpace(text[k])) k--;
        return k < lineStart || text[k] is '.' or '。' or ';' or '?' or '!';
    }

    private static bool TryHeader(string text, int start, int end, out ReportSectionKind kind, out string header, out int headerStart)
    {
        kind = default;
        header = "";
        headerStart = start;
        while (start < end && (char.IsWhiteSpace(text[start]) || text[start] is '*' or '#' or '_' or '-' or '•' or '【' or '[')) start++;
        var e = end;
        while (e > start && (char.IsWhiteSpace(text[e - 1]) || text[e - 1] is '*' or '_' or '】' or ']')) e--;
        if (e <= start || e - start > MaxHeaderLength) return false;
        var candidate = text[start..e];
        if (!Headers.TryGetValue(NormalizeHeader(candidate), out kind)) return false;
        header = candidate;
        headerStart = start;
        return true;
    }

    private static string NormalizeHeader(string header)
    {
        var folded = TextFolding.Fold(header.AsSpan().Trim());
        folded = folded.TrimEnd(':', '：', ' ');
        return string.Join(' ', folded.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void AddSection(List<ReportSection> sections, ReportSectionKind kind, string? header, string text, int start, int end, bool keepEmpty = false)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (end <= start && !keepEmpty) return;
        sections.Add(new ReportSection(kind, header, end > start ? text[start..end] : "", start));
    }

    private static Dictionary<string, ReportSectionKind> BuildHeaders()
    {
        var d = new Dictionary<string, ReportSectionKind>(StringComparer.Ordinal);
        void Add(ReportSectionKind kind, params string[] names)
        {
            foreach (var n in names) d[NormalizeHeader(n)] = kind;
        }
        Add(ReportSectionKind.Indication,
            "indication", "indications", "clinical indication", "clinical history", "history", "clinical information",
            "clinical details", "clinical data", "reason for exam", "reason for examination", "reason for study", "reason",
            // es
            "indicación", "indicaciones", "historia clínica", "antecedentes", "motivo", "motivo de consulta", "datos clínicos", "información clínica",
            // fr
            "renseignements cliniques", "histoire clinique", "motif", "contexte clinique", "antécédents", "contexte",
            // da
            "indikation", "klinisk information", "kliniske oplysninger", "anamnese",
            // de
            "klinische angaben", "fragestellung", "rechtfertigende indikation", "klinik",
            // ja
            "臨床情報", "依頼目的", "検査目的", "病歴", "臨床経過");
        Add(ReportSectionKind.Technique,
            "technique", "technic", "procedure", "examination", "exam", "study", "protocol",
            "técnica", "procedimiento", "exploración", "examen",
            "technique d'examen", "protocole",
            "teknik", "undersøgelse",
            "technik", "untersuchungstechnik", "untersuchung", "methode",
            "撮影方法", "検査方法", "手技", "撮影法");
        Add(ReportSectionKind.Comparison,
            "comparison", "comparisons", "prior", "prior study", "prior studies", "compared with",
            "comparación", "comparativa", "estudios previos",
            "comparaison", "examens antérieurs",
            "sammenligning", "sammenlignet med", "tidligere undersøgelser",
            "vergleich", "voraufnahme", "voraufnahmen", "vorbefund", "voruntersuchung",
            "比較", "前回比較");
        Add(ReportSectionKind.Findings,
            "findings", "finding", "report", "description",
            "hallazgos", "hallazgo", "descripción", "informe",
            "résultats", "résultat", "constatations", "description", "compte rendu",
            "fund", "beskrivelse", "svar",
            "befund", "befunde", "befundbeschreibung",
            "所見", "画像所見");
        Add(ReportSectionKind.Impression,
            "impression", "impressions", "conclusion", "conclusions", "summary", "diagnosis", "opinion", "interpretation",
            "impresión", "impresión diagnóstica", "conclusión", "conclusiones", "diagnóstico", "juicio diagnóstico",
            "synthèse", "avis",
            "konklusion", "vurdering", "diagnose", "sammenfatning",
            "beurteilung", "zusammenfassung", "schlussfolgerung", "diagnose", "eindruck",
            "印象", "診断", "結論", "まとめ", "診断名");
        return d;
    }
}
