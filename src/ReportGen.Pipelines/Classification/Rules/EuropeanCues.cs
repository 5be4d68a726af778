namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// Negation and uncertainty cues for Spanish, French, Danish and German (folded: lower case, accents
/// removed, ß as ss). Same precedence and scope rules as English.
/// </summary>
internal static class EuropeanCues
{
    private static Cue C(string phrase, int max = int.MaxValue, bool comma = false) => Cue.Of(phrase, max, comma);

    public static LanguageCues Spanish() => new()
    {
        Language = "es",
        PreNegationUncertaintyBefore = [C("no se puede descartar", comma: true), C("no se descarta", comma: true), C("no es posible descartar", comma: true), C("sin poder descartar", comma: true), C("no puede descartarse", comma: true), C("a descartar")],
        PreNegationUncertaintyAfter = [C("no se puede descartar", 4), C("no se descarta", 4), C("no puede descartarse", 4), C("no descartado", 4), C("no descartada", 4), C("sin poder descartar", 4)],
        NegationBefore = [C("no", comma: true), C("sin", comma: true), C("ausencia de", comma: true), C("no se observa", comma: true), C("no se observan", comma: true), C("no se identifica", comma: true), C("no se identifican", comma: true), C("no se aprecia", comma: true), C("no se aprecian", comma: true), C("no hay", comma: true), C("ni", comma: true), C("negativo para", comma: true), C("libre de", comma: true), C("resolucion de"), C("desaparicion de"), C("descartado"), C("normal", 3), C("normales", 3)],
        NegationAfter = [C("normal"), C("normales"), C("normalidad"), C("dentro de la normalidad"), C("dentro de limites normales"), C("conservado", 4), C("conservada", 4), C("resuelto", 4), C("resuelta", 4), C("ausente", 4), C("no se observa", 4), C("no se identifica", 4), C("no se aprecia", 4), C("sin alteraciones", 4), C("no", 3), C("descartado", 4), C("descartada", 4), C("desaparecido", 4),
            C("sin hallazgos", 4), C("sin aumento", 4), C("no aumentado", 4), C("no aumentada", 4), C("anodino", 4), C("anodina", 4)],
        UncertaintyBefore = [C("posible"), C("posibles"), C("probable"), C("probables"), C("probablemente"), C("sugestivo de"), C("sugestiva de"), C("sugestivos de"), C("sugestivas de"), C("sugerente de"), C("sospecha de"), C("sospechoso de"), C("dudoso"), C("dudosa"), C("puede corresponder a"), C("podria"), C("podrian"), C("vs", 4), C("versus", 4), C("o", 4, true), C("valorar"), C("en relacion con"), C("indeterminado"), C("limite de la", 2)],
        UncertaintyAfter = [C("o", 3, true), C("vs", 4), C("versus", 4), C("posible", 3), C("probable", 3), C("dudoso", 3), C("dudosa", 3), C("a valorar", 4), C("no concluyente", 4), C("limitrofe", 3)],
        BackwardTerminators = [".", ";", ":", "pero", "aunque", "excepto", "salvo", "con", "es", "son", "esta", "estan", "hay", "se", "cambio", "cambios"],
        ForwardTerminators = [".", ";", ":", "pero", "aunque", "excepto", "salvo", "con", "sin"],
        And = "y",
        AndClauseStarters = ["el", "la", "los", "las", "se", "hay", "no"],
        Verbs = ["es", "son", "esta", "estan", "se", "observa", "observan", "aprecia", "aprecian"],
    };

    public static LanguageCues French() => new()
    {
        Language = "fr",
        PreNegationUncertaintyBefore = [C("on ne peut exclure", comma: true), C("on ne peut pas exclure", comma: true), C("impossible d ' exclure", comma: true), C("sans pouvoir exclure", comma: true)],
        PreNegationUncertaintyAfter = [C("ne peut etre exclu", 4), C("ne peut etre exclue", 4), C("ne peut pas etre exclu", 4), C("ne peut pas etre exclue", 4), C("non exclu", 4), C("non exclue", 4), C("pas exclu", 4), C("pas exclue", 4)],
        NegationBefore = [C("pas de", comma: true), C("pas d", comma: true), C("absence de", comma: true), C("absence d", comma: true), C("sans", comma: true), C("aucun", comma: true), C("aucune", comma: true), C("ni", comma: true), C("negatif pour"), C("disparition de"), C("disparition d"), C("resolution de"), C("normal", 3), C("normale", 3), C("normaux", 3)],
        NegationAfter = [C("normal"), C("normale"), C("normaux"), C("normales"), C("dans les limites de la normale"), C("non visible", 4), C("non visualise", 4), C("non visualisee", 4), C("pas visible", 4), C("n ' est pas", 4), C("ne sont pas", 4), C("absent", 4), C("absente", 4), C("resolu", 4), C("resolue", 4), C("disparu", 4), C("disparue", 4), C("sans particularite", 4), C("pas augmente", 4),
            C("non augmente", 4), C("non augmentee", 4), C("non significativement augmente", 4), C("non dilate", 4), C("non elargi", 4)],
        UncertaintyBefore = [C("possible"), C("possibles"), C("probable"), C("probables"), C("probablement"), C("evocateur de"), C("evocatrice de"), C("evocateur d"), C("evocatrice d"), C("evocatrices de"), C("evocateurs de"), C("suspicion de"), C("suspicion d"), C("suspect de"), C("suspecte de"), C("doute sur"), C("eventuel"), C("eventuelle"), C("pouvant correspondre a"), C("peut correspondre a"), C("pourrait"), C("vs", 4), C("versus", 4), C("ou", 4, true), C("a confronter"), C("en faveur d"), C("en faveur de"), C("limite de la", 2)],
        UncertaintyAfter = [C("ou", 3, true), C("vs", 4), C("versus", 4), C("possible", 3), C("probable", 3), C("suspecte", 3), C("suspect", 3), C("douteux", 3), C("douteuse", 3), C("a confirmer", 4), C("a la limite de", 2)],
        BackwardTerminators = [".", ";", ":", "mais", "cependant", "toutefois", "bien", "sauf", "qui", "avec", "est", "sont", "il", "on", "modification", "changement"],
        ForwardTerminators = [".", ";", ":", "mais", "cependant", "sauf", "avec", "sans", "pas"],
        And = "et",
        AndClauseStarters = ["le", "la", "les", "il", "pas", "l"],
        Verbs = ["est", "sont", "apparait", "apparaissent", "reste", "restent"],
    };

    public static LanguageCues Danish() => new()
    {
        Language = "da",
        PreNegationUncertaintyBefore = [C("kan ikke udelukke", comma: true), C("ikke udelukke", comma: true), C("kan ikke udelukkes", comma: true)],
        PreNegationUncertaintyAfter = [C("kan ikke udelukkes", 4), C("ikke udelukket", 4), C("ikke udelukkes", 4), C("kan ej udelukkes", 4)],
        NegationBefore = [C("ingen", comma: true), C("intet", comma: true), C("ikke", 3, true), C("uden", comma: true), C("ingen tegn pa", comma: true), C("ingen tegn på", comma: true), C("fravær af", comma: true), C("fravaer af", comma: true), C("negativ for"), C("hverken", comma: true), C("normal", 3), C("normale", 3), C("normalt", 3), C("svind af"), C("normalstort", 2), C("normalstor", 2)],
        NegationAfter = [C("normal"), C("normale"), C("normalt"), C("normalomrade"), C("normalområde"), C("upåfaldende"), C("upafaldende"), C("ikke", 4), C("svundet", 4), C("forsvundet", 4), C("fjernet", 4), C("ej", 3),
            C("normalområdet"), C("normalomradet"), C("normalgrænser"), C("normalgraenser"), C("uden bemærkninger", 4), C("uden bemaerkninger", 4), C("ubemærket", 4)],
        UncertaintyBefore = [C("mulig"), C("mulige"), C("muligvis"), C("formentlig"), C("formodentlig"), C("sandsynlig"), C("sandsynligvis"), C("mistanke om"), C("suspekt"), C("suspekte"), C("evt"), C("eventuel"), C("eventuelt"), C("tvivlsom"), C("tvivlsomt"), C("kan repræsentere"), C("eller", 4, true), C("grænsende", 2), C("graensende", 2)],
        UncertaintyAfter = [C("eller", 3, true), C("mulig", 3), C("formentlig", 3), C("kan ikke afgøres", 4), C("suspekt", 3), C("tvivlsom", 3), C("grænsende", 3), C("graensende", 3)],
        BackwardTerminators = [".", ";", ":", "men", "dog", "bortset", "som", "med", "er", "ses", "der"],
        ForwardTerminators = [".", ";", ":", "men", "dog", "bortset", "med", "uden", "ingen", "intet"],
        And = "og",
        AndClauseStarters = ["der", "det", "den", "de", "ingen"],
        Verbs = ["er", "ses", "fremstår", "fremstar"],
    };

    public static LanguageCues German() => new()
    {
        Language = "de",
        PreNegationUncertaintyBefore = [C("nicht auszuschliessen", comma: true), C("nicht sicher auszuschliessen", comma: true), C("kann nicht ausgeschlossen werden", comma: true)],
        PreNegationUncertaintyAfter = [C("nicht auszuschliessen", 4), C("nicht sicher auszuschliessen", 4), C("nicht ausgeschlossen", 4), C("nicht sicher ausgeschlossen", 4), C("kann nicht ausgeschlossen werden", 4), C("nicht sicher abgrenzbar", 4)],
        NegationBefore = [C("kein", comma: true), C("keine", comma: true), C("keinen", comma: true), C("keiner", comma: true), C("keines", comma: true), C("ohne", comma: true), C("nicht", 3, true), C("kein nachweis", comma: true), C("kein hinweis auf", comma: true), C("frei von", comma: true), C("weder", comma: true), C("noch", comma: true), C("ausschluss", comma: true), C("normal", 3), C("normale", 3), C("normaler", 3), C("regelrechte", 3), C("unauffallige", 3), C("normgrosses", 3), C("normgrosser", 3)],
        NegationAfter = [C("normal"), C("unauffallig"), C("regelrecht"), C("normgross"), C("normgrenze"), C("nicht nachweisbar", 4), C("nicht vergrossert", 4), C("nicht mehr", 4), C("nicht", 3), C("ausgeschlossen", 4), C("ohne befund", 2), C("entfernt", 4), C("nicht abgrenzbar", 4), C("hochnormal", 3), C("normbereich", 4)],
        UncertaintyBefore = [C("moglich"), C("mogliche"), C("moglicher"), C("mogliches"), C("moglichen"), C("moglicherweise"), C("verdacht auf"), C("fraglich"), C("fragliche"), C("fraglicher"), C("fragliches"), C("wahrscheinlich"), C("vermutlich"), C("dd", 4), C("differentialdiagnostisch"), C("differenzialdiagnostisch"), C("suspekt"), C("oder", 4, true), C("verdachtig auf"), C("grenzwertig", 2)],
        UncertaintyAfter = [C("oder", 3, true), C("moglich", 3), C("fraglich", 3), C("nicht sicher", 3), C("vermutlich", 3), C("dd", 4), C("suspekt", 3), C("grenzwertig", 3)],
        BackwardTerminators = [".", ";", ":", "aber", "jedoch", "allerdings", "ausser", "ist", "sind", "mit"],
        ForwardTerminators = [".", ";", ":", "aber", "jedoch", "allerdings", "ausser", "mit", "ohne", "kein", "keine"],
        And = "und",
        AndClauseStarters = ["der", "die", "das", "es", "kein", "keine"],
        Verbs = ["ist", "sind", "zeigt", "zeigen"],
    };

    /// <summary>Abbreviations whose periods would split sentences (German "V.a."), expanded before splitting.</summary>
    public static readonly (string From, string To)[] GermanAbbreviations =
    [
        ("v.a.", "verdacht auf"), ("o.b.", "ohne befund"), ("z.n.", "zustand nach"), ("a.e.", "am ehesten"),
        ("bds.", "beidseits"), ("ggf.", "gegebenenfalls"), ("re.", "rechts"), ("li.", "links"), ("d.h.", "das heisst"),
        ("z.b.", "zum beispiel"),
    ];
}
