namespace ReportGen.Llama;

/// <summary>GBNF for "any JSON object" (used for a JSON response format without a schema).</summary>
public static class JsonGrammar
{
    /// <summary>Any JSON object; whitespace bounded so a model cannot pad forever.</summary>
    public static GbnfGrammar AnyObject { get; } = new("""
        root   ::= object
        value  ::= object | array | string | number | ("true" | "false" | "null") ws
        object ::= "{" ws ( string ":" ws value ( "," ws string ":" ws value )* )? "}" ws
        array  ::= "[" ws ( value ( "," ws value )* )? "]" ws
        string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\"" ws
        number ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )? ws
        ws     ::= | " " | "\n" [ \t]{0,20}
        """);
}
