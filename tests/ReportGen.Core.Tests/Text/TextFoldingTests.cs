using ReportGen.Core.Text;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Text;

/// <summary>The folding rules, one case per language quirk (see <see cref="TextFolding"/>).</summary>
[Fast]
public class TextFoldingTests
{
    [Theory]
    [InlineData("en: lower case", "No Acute Disease", "no acute disease")]
    [InlineData("es: accents and ñ fold", "IMPRESIÓN: Tamaño normal, neumonía", "impresion: tamano normal, neumonia")]
    [InlineData("fr: accents and ç fold", "Épanchement à gauche, opacité, reçu", "epanchement a gauche, opacite, recu")]
    [InlineData("fr: œ becomes oe", "Cœur et Œdème", "coeur et oedeme")]
    [InlineData("fr: typographic apostrophe", "Pas d’épanchement", "pas d'epanchement")]
    [InlineData("fr: backtick apostrophe", "n`est pas", "n'est pas")]
    [InlineData("fr: acute-accent apostrophe", "l´examen", "l'examen")]
    [InlineData("de: umlauts fold", "Unauffällige Lunge, Lungenödem, Rückbildung", "unauffallige lunge, lungenodem, ruckbildung")]
    [InlineData("de: ß becomes ss", "Herzgröße, Pleuraerguß", "herzgrosse, pleuraerguss")]
    [InlineData("da: ø kept", "HØJRE størrelse", "højre størrelse")]
    [InlineData("da: å kept", "PÅ lår", "på lår")]
    [InlineData("da: æ kept", "Fortætning", "fortætning")]
    [InlineData("ja: ideographic space becomes a space, kana and kanji kept", "所見\u3000：胸水なし。", "所見 ：胸水なし。")]
    [InlineData("ja: romanised macrons fold", "Tōkyō Daigaku", "tokyo daigaku")]
    public void Folds_each_language_quirk(string quirk, string text, string folded)
    {
        TextFolding.Fold(text).ShouldBe(folded, quirk);
    }

    [Fact]
    public void Danish_words_that_differ_only_by_oe_or_aa_stay_different()
    {
        // "før" (before) is not "for" (for); "lår" (thigh) is not "lar".
        TextFolding.Fold("før").ShouldNotBe(TextFolding.Fold("for"));
        TextFolding.Fold("lår").ShouldNotBe(TextFolding.Fold("lar"));
    }

    [Fact]
    public void The_span_and_string_overloads_agree()
    {
        const string text = "  Résultats : Pas d’épanchement, HØJRE side.  ";
        TextFolding.Fold(text.AsSpan().Trim()).ShouldBe(TextFolding.Fold(text.Trim()));
    }
}
