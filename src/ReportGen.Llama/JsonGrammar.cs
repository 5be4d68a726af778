using System.Text;

namespace ReportGen.Llama;

/// <summary>Whether grammar-constrained JSON may hold whitespace between its tokens.</summary>
public enum JsonWhitespace
{
    /// <summary>
    /// None: the document is written compactly. The default: every optional space is a token a model may spend its
    /// budget on, and a small model that indents cheaply gets cut off before the document ends.
    /// </summary>
    Compact,
    /// <summary>Like llama.cpp's own converter: one space, or one newline plus up to 20 indent characters, at every separator.</summary>
    Permissive,
}

/// <summary>GBNF for "any JSON object" (used for a JSON response format without a schema).</summary>
public static class JsonGrammar
{
    private static readonly GbnfGrammar CompactObject = Build("");
    private static readonly GbnfGrammar PermissiveObject = Build("""
        ws     ::= | " " | "\n" [ \t]{0,20}
        """);

    /// <summary>Any JSON object; with <see cref="JsonWhitespace.Permissive"/> the whitespace is bounded so a model cannot pad forever.</summary>
    public static GbnfGrammar AnyObject(JsonWhitespace whitespace) => whitespace == JsonWhitespace.Compact ? CompactObject : PermissiveObject;

    private static GbnfGrammar Build(string wsRule)
    {
        var ws = wsRule.Length == 0 ? "" : "ws";
        var text = $$"""
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") {{ws}}
            object ::= "{" {{ws}} ( string ":" {{ws}} value ( "," {{ws}} string ":" {{ws}} value )* )? "}" {{ws}}
            array  ::= "[" {{ws}} ( value ( "," {{ws}} value )* )? "]" {{ws}}
            string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\"" {{ws}}
            number ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )? {{ws}}
            {{wsRule}}
            """;
        return new GbnfGrammar(string.Join('\n', text.Split('\n').Select(CollapseSpaces).Where(l => l.Length > 0)));
    }

    /// <summary>
    /// Collapses runs of spaces outside string literals and character classes to one and trims the ends, so an
    /// expression built with an empty whitespace rule reads as if it had been written without one.
    /// </summary>
    internal static string CollapseSpaces(string expression)
    {
        var result = new StringBuilder(expression.Length);
        char? closing = null; // '"' inside a literal, ']' inside a character class
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (closing is { } end)
            {
                result.Append(c);
                if (c == '\\' && i + 1 < expression.Length) result.Append(expression[++i]);
                else if (c == end) closing = null;
                continue;
            }
            if (c == ' ' && (result.Length == 0 || result[^1] == ' ')) continue;
            if (c == '"') closing = '"';
            else if (c == '[') closing = ']';
            result.Append(c);
        }
        return result.ToString().TrimEnd(' ');
    }
}
