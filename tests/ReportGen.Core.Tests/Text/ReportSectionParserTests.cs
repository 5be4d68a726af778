using ReportGen.Core.Text;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Text;

[Fast]
public class ReportSectionParserTests
{
    [Fact]
    public void Parses_english_headers_on_their_own_lines_and_inline()
    {
        const string report = "Indication: cough. Comparison: None.\nTECHNIQUE: PA and lateral\nFINDINGS:\nThe lungs are clear.\n\nIMPRESSION: No acute disease.";
        var s = ReportSectionParser.Parse(report);
        s.Get(ReportSectionKind.Indication).ShouldBe("cough.");
        s.Get(ReportSectionKind.Comparison).ShouldBe("None.");
        s.Get(ReportSectionKind.Technique).ShouldBe("PA and lateral");
        s.Findings.ShouldBe("The lungs are clear.");
        s.Impression.ShouldBe("No acute disease.");
        s.Sections.Select(x => x.Kind).ShouldBe([ReportSectionKind.Indication, ReportSectionKind.Comparison, ReportSectionKind.Technique, ReportSectionKind.Findings, ReportSectionKind.Impression]);
    }

    [Theory]
    [InlineData("Hallazgos: Pulmones sin consolidación.\nImpresión: Sin hallazgos agudos.", "Pulmones sin consolidación.", "Sin hallazgos agudos.")]
    [InlineData("Résultats : Pas d'épanchement.\nConclusion : Examen normal.", "Pas d'épanchement.", "Examen normal.")]
    [InlineData("Fund: Ingen pneumothorax.\nKonklusion: Normal.", "Ingen pneumothorax.", "Normal.")]
    [InlineData("Befund: Kein Erguss.\nBeurteilung: Unauffällig.", "Kein Erguss.", "Unauffällig.")]
    [InlineData("所見：心拡大なし。\n診断：異常なし。", "心拡大なし。", "異常なし。")]
    [InlineData("所見：胸水なし。\n印象：正常。", "胸水なし。", "正常。")]
    [InlineData("FINDINGS\nNo effusion.\nIMPRESSION\nNormal.", "No effusion.", "Normal.")]
    // Danish ø is matched as written (not folded to o).
    [InlineData("UNDERSØGELSE: Thorax.\nBeskrivelse: Ingen pneumothorax.\nKonklusion: Normal.", "Ingen pneumothorax.", "Normal.")]
    [InlineData("findings: no effusion.\nIMPRESION: normal.", "no effusion.", "normal.")]
    public void Parses_headers_in_six_languages_ignoring_case_accents_and_missing_colons(string report, string findings, string impression)
    {
        var s = ReportSectionParser.Parse(report);
        s.Findings.ShouldBe(findings);
        s.Impression.ShouldBe(impression);
    }

    [Fact]
    public void A_header_with_a_typographic_apostrophe_is_recognised()
    {
        var s = ReportSectionParser.Parse("Technique d’examen : face.\nRésultats : Pas d’épanchement.");
        s.Get(ReportSectionKind.Technique).ShouldBe("face.");
        s.Findings.ShouldBe("Pas d’épanchement.");
    }

    [Fact]
    public void Text_without_headers_is_findings()
    {
        var s = ReportSectionParser.Parse("The heart: normal size. Lungs clear.");
        s.Sections.Count.ShouldBe(1);
        s.Sections[0].Kind.ShouldBe(ReportSectionKind.Findings);
        s.Sections[0].Header.ShouldBeNull();
    }

    [Fact]
    public void Text_before_the_first_header_is_other_and_offsets_point_into_the_report()
    {
        const string report = "CHEST PA\nFindings: Clear lungs.";
        var s = ReportSectionParser.Parse(report);
        s.Sections[0].Kind.ShouldBe(ReportSectionKind.Other);
        s.Sections[0].Text.ShouldBe("CHEST PA");
        var f = s.Sections[1];
        report.Substring(f.Start, f.Text.Length).ShouldBe("Clear lungs.");
        ReportSectionParser.Classify("Impresión diagnóstica").ShouldBe(ReportSectionKind.Impression);
        ReportSectionParser.Classify("the lungs").ShouldBeNull();
    }
}
