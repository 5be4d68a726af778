using System.Text.RegularExpressions;

namespace ReportGen.Pipelines.Prompts;

/// <summary>
/// The top-level variables a Handlebars template reads: the first path segment of every mustache outside
/// <c>#each</c>/<c>#with</c> blocks (inside them names refer to the item). Enough to check a prompt file's
/// <c>input_variables</c> against its template at start-up.
/// </summary>
internal static partial class TemplateVariables
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "else", "this", "true", "false", "null", "undefined", "if", "unless", "each", "with" };
    private static readonly HashSet<string> ScopeHelpers = new(StringComparer.Ordinal) { "each", "with" };

    public static IReadOnlySet<string> TopLevel(string template)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var scopes = new Stack<string>();
        foreach (Match match in MustachePattern().Matches(template))
        {
            var body = match.Groups["body"].Value.Trim();
            if (body.StartsWith('!')) continue; // comment
            if (body.StartsWith('/'))
            {
                if (scopes.Count > 0) scopes.Pop();
                continue;
            }
            var parts = Tokens(body.TrimStart('#', '^', '&', '>').Trim());
            if (parts.Count == 0) continue;
            var isBlock = body.StartsWith('#') || body.StartsWith('^');
            // In {{#if x}} or {{helper a b}} the arguments are variables; in {{x}} the expression itself is.
            var helper = isBlock || parts.Count > 1 ? parts[0] : null;
            var arguments = helper is null ? parts : parts.Skip(1);
            if (scopes.All(s => !ScopeHelpers.Contains(s)))
            {
                foreach (var argument in arguments) AddVariable(names, argument);
            }
            if (isBlock) scopes.Push(helper!);
        }
        return names;
    }

    private static void AddVariable(HashSet<string> names, string token)
    {
        if (token.Length == 0 || token[0] is '"' or '\'' or '@' or '.' || char.IsAsciiDigit(token[0]) || token[0] == '-') return;
        if (token.Contains('=', StringComparison.Ordinal)) token = token[(token.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var first = token.Split('.', '/', '[')[0];
        if (first.Length > 0 && !Keywords.Contains(first) && char.IsLetter(first[0]) || first.StartsWith('_')) names.Add(first);
    }

    private static List<string> Tokens(string expression) =>
        TokenPattern().Matches(expression).Select(m => m.Value).Where(t => t != "(" && t != ")").ToList();

    [GeneratedRegex(@"\{\{~?(?<body>[^{}]*?)~?\}\}")]
    private static partial Regex MustachePattern();

    [GeneratedRegex("\"[^\"]*\"|'[^']*'|[^\\s()]+")]
    private static partial Regex TokenPattern();
}
