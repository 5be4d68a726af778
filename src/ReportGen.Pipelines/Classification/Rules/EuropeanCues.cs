namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// Negation and uncertainty cues for Spanish, French, Danish and German (folded: lower case, accents
/// removed, ß as ss). Same precedence and scope rules as English.
/// </summary>
internal static class EuropeanCues
{
    public static LanguageCues Spanish() => new()
    {
        Language = "es",
        PreNegationUncertaintyBefore = [Cue.Of("no se puede descartar", crossesComma: true), Cue.Of("no se descarta", crossesComma: true), Cue.Of("no es posible descartar", crossesComma: true), Cue.Of("sin poder descartar", crossesComma: true), Cue.Of("no puede descartarse", crossesComma: true), Cue.Of("a descartar")],
        PreNegationUncertaintyAfter = [Cue.Of("no se puede descartar", 4), Cue.Of("no se descarta", 4), Cue.Of("no puede descartarse", 4), Cue.Of("no descartado", 4), Cue.Of("no descartada", 4), Cue.Of("sin poder descartar", 4)],
        NegationBefore = [Cue.Of("no", crossesComma: true), Cue.Of("sin", crossesComma: true), Cue.Of("ausencia de", crossesComma: true), Cue.Of("no se observa", crossesComma: true), Cue.Of("no se observan", crossesComma: true), Cue.Of("no se identifica", crossesComma: true), Cue.Of("no se identifican", crossesComma: true), Cue.Of("no se aprecia", crossesComma: true), Cue.Of("no se aprecian", crossesComma: true), Cue.Of("no hay", crossesComma: true), Cue.Of("ni", crossesComma: true), Cue.Of("negativo para", crossesComma: true), Cue.Of("libre de", crossesComma: true), Cue.Of("resolucion de"), Cue.Of("desaparicion de"), Cue.Of("descartado"), Cue.Of("normal", 3), Cue.Of("normales", 3)],
        NegationAfter = [Cue.Of("normal"), Cue.Of("normales"), Cue.Of("normalidad"), Cue.Of("dentro de la normalidad"), Cue.Of("dentro de limites normales"), Cue.Of("conservado", 4), Cue.Of("conservada", 4), Cue.Of("resuelto", 4), Cue.Of("resuelta", 4), Cue.Of("ausente", 4), Cue.Of("no se observa", 4), Cue.Of("no se identifica", 4), Cue.Of("no se aprecia", 4), Cue.Of("sin alteraciones", 4), Cue.Of("no", 3), Cue.Of("descartado", 4), Cue.Of("descartada", 4), Cue.Of("desaparecido", 4),
            Cue.Of("sin hallazgos", 4), Cue.Of("sin aumento", 4), Cue.Of("no aumentado", 4), Cue.Of("no aumentada", 4), Cue.Of("anodino", 4), Cue.Of("anodina", 4)],
        UncertaintyBefore = [Cue.Of("posible"), Cue.Of("posibles"), Cue.Of("probable"), Cue.Of("probables"), Cue.Of("probablemente"), Cue.Of("sugestivo de"), Cue.Of("sugestiva de"), Cue.Of("sugestivos de"), Cue.Of("sugestivas de"), Cue.Of("sugerente de"), Cue.Of("sospecha de"), Cue.Of("sospechoso de"), Cue.Of("dudoso"), Cue.Of("dudosa"), Cue.Of("puede corresponder a"), Cue.Of("podria"), Cue.Of("podrian"), Cue.Of("vs", 4), Cue.Of("versus", 4), Cue.Of("o", 4, true), Cue.Of("valorar"), Cue.Of("en relacion con"), Cue.Of("indeterminado"), Cue.Of("limite de la", 2)],
        UncertaintyAfter = [Cue.Of("o", 3, true), Cue.Of("vs", 4), Cue.Of("versus", 4), Cue.Of("posible", 3), Cue.Of("probable", 3), Cue.Of("dudoso", 3), Cue.Of("dudosa", 3), Cue.Of("a valorar", 4), Cue.Of("no concluyente", 4), Cue.Of("limitrofe", 3)],
        BackwardTerminators = [".", ";", ":", "pero", "aunque", "excepto", "salvo", "con", "es", "son", "esta", "estan", "hay", "se", "cambio", "cambios"],
        ForwardTerminators = [".", ";", ":", "pero", "aunque", "excepto", "salvo", "con", "sin"],
        And = "y",
        AndClauseStarters = ["el", "la", "los", "las", "se", "hay", "no"],
        Verbs = ["es", "son", "esta", "estan", "se", "observa", "observan", "aprecia", "aprecian"],
    };

    public static LanguageCues French() => new()
    {
        Language = "fr",
        PreNegationUncertaintyBefore = [Cue.Of("on ne peut exclure", crossesComma: true), Cue.Of("on ne peut pas exclure", crossesComma: true), Cue.Of("impossible d ' exclure", crossesComma: true), Cue.Of("sans pouvoir exclure", crossesComma: true)],
        PreNegationUncertaintyAfter = [Cue.Of("ne peut etre exclu", 4), Cue.Of("ne peut etre exclue", 4), Cue.Of("ne peut pas etre exclu", 4), Cue.Of("ne peut pas etre exclue", 4), Cue.Of("non exclu", 4), Cue.Of("non exclue", 4), Cue.Of("pas exclu", 4), Cue.Of("pas exclue", 4)],
        NegationBefore = [Cue.Of("pas de", crossesComma: true), Cue.Of("pas d", crossesComma: true), Cue.Of("absence de", crossesComma: true), Cue.Of("absence d", crossesComma: true), Cue.Of("sans", crossesComma: true), Cue.Of("aucun", crossesComma: true), Cue.Of("aucune", crossesComma: true), Cue.Of("ni", crossesComma: true), Cue.Of("negatif pour"), Cue.Of("disparition de"), Cue.Of("disparition d"), Cue.Of("resolution de"), Cue.Of("normal", 3), Cue.Of("normale", 3), Cue.Of("normaux", 3)],
        NegationAfter = [Cue.Of("normal"), Cue.Of("normale"), Cue.Of("normaux"), Cue.Of("normales"), Cue.Of("dans les limites de la normale"), Cue.Of("non visible", 4), Cue.Of("non visualise", 4), Cue.Of("non visualisee", 4), Cue.Of("pas visible", 4), Cue.Of("n ' est pas", 4), Cue.Of("ne sont pas", 4), Cue.Of("absent", 4), Cue.Of("absente", 4), Cue.Of("resolu", 4), Cue.Of("resolue", 4), Cue.Of("disparu", 4), Cue.Of("disparue", 4), Cue.Of("sans particularite", 4), Cue.Of("pas augmente", 4),
            Cue.Of("non augmente", 4), Cue.Of("non augmentee", 4), Cue.Of("non significativement augmente", 4), Cue.Of("non dilate", 4), Cue.Of("non elargi", 4)],
        UncertaintyBefore = [Cue.Of("possible"), Cue.Of("possibles"), Cue.Of("probable"), Cue.Of("probables"), Cue.Of("probablement"), Cue.Of("evocateur de"), Cue.Of("evocatrice de"), Cue.Of("evocateur d"), Cue.Of("evocatrice d"), Cue.Of("evocatrices de"), Cue.Of("evocateurs de"), Cue.Of("suspicion de"), Cue.Of("suspicion d"), Cue.Of("suspect de"), Cue.Of("suspecte de"), Cue.Of("doute sur"), Cue.Of("eventuel"), Cue.Of("eventuelle"), Cue.Of("pouvant correspondre a"), Cue.Of("peut correspondre a"), Cue.Of("pourrait"), Cue.Of("vs", 4), Cue.Of("versus", 4), Cue.Of("ou", 4, true), Cue.Of("a confronter"), Cue.Of("en faveur d"), Cue.Of("en faveur de"), Cue.Of("limite de la", 2)],
        UncertaintyAfter = [Cue.Of("ou", 3, true), Cue.Of("vs", 4), Cue.Of("versus", 4), Cue.Of("possible", 3), Cue.Of("probable", 3), Cue.Of("suspecte", 3), Cue.Of("suspect", 3), Cue.Of("douteux", 3), Cue.Of("douteuse", 3), Cue.Of("a confirmer", 4), Cue.Of("a la limite de", 2)],
        BackwardTerminators = [".", ";", ":", "mais", "cependant", "toutefois", "bien", "sauf", "qui", "avec", "est", "sont", "il", "on", "modification", "changement"],
        ForwardTerminators = [".", ";", ":", "mais", "cependant", "sauf", "avec", "sans", "pas"],
        And = "et",
        AndClauseStarters = ["le", "la", "les", "il", "pas", "l"],
        Verbs = ["est", "sont", "apparait", "apparaissent", "reste", "restent"],
    };

    public static LanguageCues Danish() => new()
    {
        Language = "da",
        PreNegationUncertaintyBefore = [Cue.Of("kan ikke udelukke", crossesComma: true), Cue.Of("ikke udelukke", crossesComma: true), Cue.Of("kan ikke udelukkes", crossesComma: true)],
        PreNegationUncertaintyAfter = [Cue.Of("kan ikke udelukkes", 4), Cue.Of("ikke udelukket", 4), Cue.Of("ikke udelukkes", 4), Cue.Of("kan ej udelukkes", 4)],
        NegationBefore = [Cue.Of("ingen", crossesComma: true), Cue.Of("intet", crossesComma: true), Cue.Of("ikke", 3, true), Cue.Of("uden", crossesComma: true), Cue.Of("ingen tegn pa", crossesComma: true), Cue.Of("ingen tegn på", crossesComma: true), Cue.Of("fravær af", crossesComma: true), Cue.Of("fravaer af", crossesComma: true), Cue.Of("negativ for"), Cue.Of("hverken", crossesComma: true), Cue.Of("normal", 3), Cue.Of("normale", 3), Cue.Of("normalt", 3), Cue.Of("svind af"), Cue.Of("normalstort", 2), Cue.Of("normalstor", 2)],
        NegationAfter = [Cue.Of("normal"), Cue.Of("normale"), Cue.Of("normalt"), Cue.Of("normalomrade"), Cue.Of("normalområde"), Cue.Of("upåfaldende"), Cue.Of("upafaldende"), Cue.Of("ikke", 4), Cue.Of("svundet", 4), Cue.Of("forsvundet", 4), Cue.Of("fjernet", 4), Cue.Of("ej", 3),
            Cue.Of("normalområdet"), Cue.Of("normalomradet"), Cue.Of("normalgrænser"), Cue.Of("normalgraenser"), Cue.Of("uden bemærkninger", 4), Cue.Of("uden bemaerkninger", 4), Cue.Of("ubemærket", 4)],
        UncertaintyBefore = [Cue.Of("mulig"), Cue.Of("mulige"), Cue.Of("muligvis"), Cue.Of("formentlig"), Cue.Of("formodentlig"), Cue.Of("sandsynlig"), Cue.Of("sandsynligvis"), Cue.Of("mistanke om"), Cue.Of("suspekt"), Cue.Of("suspekte"), Cue.Of("evt"), Cue.Of("eventuel"), Cue.Of("eventuelt"), Cue.Of("tvivlsom"), Cue.Of("tvivlsomt"), Cue.Of("kan repræsentere"), Cue.Of("eller", 4, true), Cue.Of("grænsende", 2), Cue.Of("graensende", 2)],
        UncertaintyAfter = [Cue.Of("eller", 3, true), Cue.Of("mulig", 3), Cue.Of("formentlig", 3), Cue.Of("kan ikke afgøres", 4), Cue.Of("suspekt", 3), Cue.Of("tvivlsom", 3), Cue.Of("grænsende", 3), Cue.Of("graensende", 3)],
        BackwardTerminators = [".", ";", ":", "men", "dog", "bortset", "som", "med", "er", "ses", "der"],
        ForwardTerminators = [".", ";", ":", "men", "dog", "bortset", "med", "uden", "ingen", "intet"],
        And = "og",
        AndClauseStarters = ["der", "det", "den", "de", "ingen"],
        Verbs = ["er", "ses", "fremstår", "fremstar"],
    };

    public static LanguageCues German() => new()
    {
        Language = "de",
        PreNegationUncertaintyBefore = [Cue.Of("nicht auszuschliessen", crossesComma: true), Cue.Of("nicht sicher auszuschliessen", crossesComma: true), Cue.Of("kann nicht ausgeschlossen werden", crossesComma: true)],
        PreNegationUncertaintyAfter = [Cue.Of("nicht auszuschliessen", 4), Cue.Of("nicht sicher auszuschliessen", 4), Cue.Of("nicht ausgeschlossen", 4), Cue.Of("nicht sicher ausgeschlossen", 4), Cue.Of("kann nicht ausgeschlossen werden", 4), Cue.Of("nicht sicher abgrenzbar", 4)],
        NegationBefore = [Cue.Of("kein", crossesComma: true), Cue.Of("keine", crossesComma: true), Cue.Of("keinen", crossesComma: true), Cue.Of("keiner", crossesComma: true), Cue.Of("keines", crossesComma: true), Cue.Of("ohne", crossesComma: true), Cue.Of("nicht", 3, true), Cue.Of("kein nachweis", crossesComma: true), Cue.Of("kein hinweis auf", crossesComma: true), Cue.Of("frei von", crossesComma: true), Cue.Of("weder", crossesComma: true), Cue.Of("noch", crossesComma: true), Cue.Of("ausschluss", crossesComma: true), Cue.Of("normal", 3), Cue.Of("normale", 3), Cue.Of("normaler", 3), Cue.Of("regelrechte", 3), Cue.Of("unauffallige", 3), Cue.Of("normgrosses", 3), Cue.Of("normgrosser", 3)],
        NegationAfter = [Cue.Of("normal"), Cue.Of("unauffallig"), Cue.Of("regelrecht"), Cue.Of("normgross"), Cue.Of("normgrenze"), Cue.Of("nicht nachweisbar", 4), Cue.Of("nicht vergrossert", 4), Cue.Of("nicht mehr", 4), Cue.Of("nicht", 3), Cue.Of("ausgeschlossen", 4), Cue.Of("ohne befund", 2), Cue.Of("entfernt", 4), Cue.Of("nicht abgrenzbar", 4), Cue.Of("hochnormal", 3), Cue.Of("normbereich", 4)],
        UncertaintyBefore = [Cue.Of("moglich"), Cue.Of("mogliche"), Cue.Of("moglicher"), Cue.Of("mogliches"), Cue.Of("moglichen"), Cue.Of("moglicherweise"), Cue.Of("verdacht auf"), Cue.Of("fraglich"), Cue.Of("fragliche"), Cue.Of("fraglicher"), Cue.Of("fragliches"), Cue.Of("wahrscheinlich"), Cue.Of("vermutlich"), Cue.Of("dd", 4), Cue.Of("differentialdiagnostisch"), Cue.Of("differenzialdiagnostisch"), Cue.Of("suspekt"), Cue.Of("oder", 4, true), Cue.Of("verdachtig auf"), Cue.Of("grenzwertig", 2)],
        UncertaintyAfter = [Cue.Of("oder", 3, true), Cue.Of("moglich", 3), Cue.Of("fraglich", 3), Cue.Of("nicht sicher", 3), Cue.Of("vermutlich", 3), Cue.Of("dd", 4), Cue.Of("suspekt", 3), Cue.Of("grenzwertig", 3)],
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
