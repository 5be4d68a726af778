using ReportGen.Core.Text;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Text;

/// <summary>The folding rules, one per language quirk (see <see cref="TextFolding"/>).</summary>
[Fast]
public class TextFoldingTests
{
    [Theory]
    [InlineData("No Acute Disease", "no acute disease")]
    [InlineData("IMPRESIÓN: Tamaño normal, neumonía", "impresion: tamano normal, neumonia")]
    [InlineData("Épanchement à gauche, opacité", "epanchement a gauche, opacite")]
    [InlineData("Unauffällige Herzgröße, Lungenödem", "unauffallige herzgrosse, lungenodem")]
    public void Lower_cases_and_removes_accents_from_es_fr_de(string text, string folded)
    {
        TextFolding.Fold(text).ShouldBe(folded);
    }

    [Theory]
    [InlineData("HØJRE", "højre")]
    [InlineData("På størrelse", "på størrelse")]
    [InlineData("Fortætning", "fortætning")]
    [InlineData("Undersøgelse", "undersøgelse")]
    public void Keeps_the_danish_letters_ae_oe_aa(string text, string folded)
    {
        TextFolding.Fold(text).ShouldBe(folded);
    }

    [Fact]
    public void Danish_words_that_differ_only_by_oe_or_aa_stay_different()
    {
        // "før" (before) is not "for" (for); "lår" (thigh) is not "lar".
        TextFolding.Fold("før").ShouldNotBe(TextFolding.Fold("for"));
        TextFolding.Fold("lår").ShouldNotBe(TextFolding.Fold("lar"));
    }

    [Theory]
    [InlineData("Pleuraerguß", "pleuraerguss")]
    [InlineData("STRASSE", "strasse")]
    public void German_sharp_s_becomes_ss(string text, string folded)
    {
        TextFolding.Fold(text).ShouldBe(folded);
    }

    [Fact]
    public void French_oe_ligature_becomes_oe()
    {
        TextFolding.Fold("Cœur et Œdème").ShouldBe("coeur et oedeme");
    }

    [Theory]
    [InlineData("Pas d’épanchement", "pas d'epanchement")]
    [InlineData("n`est pas", "n'est pas")]
    [InlineData("l´examen", "l'examen")]
    public void Typographic_apostrophes_become_the_ascii_one(string text, string folded)
    {
        TextFolding.Fold(text).ShouldBe(folded);
    }

    [Fact]
    public void Japanese_ideographic_space_becomes_a_space_and_kana_kanji_are_kept()
    {
        TextFolding.Fold("所見\u3000：胸水なし。").ShouldBe("所見 ：胸水なし。");
        TextFolding.Fold("Tōkyō Daigaku").ShouldBe("tokyo daigaku");
    }

    [Fact]
    public void The_span_and_string_overloads_agree()
    {
        const string text = "  Résultats : Pas d’épanchement, HØJRE side.  ";
        TextFolding.Fold(text.AsSpan().Trim()).ShouldBe(TextFolding.Fold(text.Trim()));
    }
}
