using System.Text;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using Microsoft.Extensions.AI;

namespace ReportGen.Pipelines.Prompts;

/// <summary>
/// The <c>&lt;message role="..."&gt;</c> blocks of a rendered template. Values inserted with <c>{{x}}</c> go through
/// <see cref="Encoder"/>, which writes only '&lt;' and '&amp;' as entities (no HTML escaping of anything else), so
/// report text containing "&lt;message" cannot open or close a block; the entities are decoded again in each
/// message's content, so the model sees the text exactly as given.
/// </summary>
internal static partial class MessageBlocks
{
    /// <summary>Splits rendered text into chat messages. Text without any block is one user message.</summary>
    /// <exception cref="FormatException">Unbalanced blocks, an unknown role or text outside the blocks.</exception>
    public static List<ChatMessage> Split(string rendered)
    {
        var messages = new List<ChatMessage>();
        if (!BlockPattern().IsMatch(rendered))
        {
            CheckNoTags(rendered);
            return [new ChatMessage(ChatRole.User, Decode(rendered.Trim()))];
        }
        var position = 0;
        foreach (Match match in BlockPattern().Matches(rendered))
        {
            CheckOutside(rendered[position..match.Index]);
            var role = match.Groups["role"].Value switch
            {
                "system" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                var other => throw new FormatException($"unknown message role '{other}' (system, user or assistant)"),
            };
            var content = match.Groups["content"].Value;
            if (OpenTagPattern().IsMatch(content)) throw new FormatException("a <message> block is not closed before the next one opens");
            messages.Add(new ChatMessage(role, Decode(content.Trim())));
            position = match.Index + match.Length;
        }
        CheckOutside(rendered[position..]);
        return messages;
    }

    private static void CheckNoTags(string text)
    {
        if (OpenTagPattern().IsMatch(text)) throw new FormatException("a <message> block is not closed with </message>");
        if (text.Contains("</message>", StringComparison.Ordinal)) throw new FormatException("'</message>' without a matching '<message role=\"...\">'");
    }

    private static void CheckOutside(string text)
    {
        CheckNoTags(text);
        if (!string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("text outside the <message> blocks");
        }
    }

    // One pass, so "&amp;lt;" (a value that itself said "&lt;") comes back as "&lt;", not "<".
    private static string Decode(string text) =>
        text.Contains('&', StringComparison.Ordinal) ? EntityPattern().Replace(text, m => m.Value == "&lt;" ? "<" : "&") : text;

    [GeneratedRegex("&(lt|amp);")]
    private static partial Regex EntityPattern();

    [GeneratedRegex("""<message\s+role\s*=\s*["'](?<role>[^"']*)["']\s*>(?<content>.*?)</message>""", RegexOptions.Singleline)]
    private static partial Regex BlockPattern();

    [GeneratedRegex("""<message[\s>]""")]
    private static partial Regex OpenTagPattern();

    /// <summary>Handlebars encoder for <c>{{x}}</c>: '&lt;' and '&amp;' only, undone by <see cref="Split"/>.</summary>
    internal sealed class Encoder : ITextEncoder
    {
        public void Encode(StringBuilder? text, TextWriter target)
        {
            if (text is null) return;
            foreach (var chunk in text.GetChunks()) Write(chunk.Span, target);
        }

        public void Encode(string? text, TextWriter target) => Write(text, target);

        public void Encode<T>(T? text, TextWriter target) where T : IEnumerator<char>
        {
            if (text is null) return;
            while (text.MoveNext()) Write([text.Current], target);
        }

        private static void Write(ReadOnlySpan<char> text, TextWriter target)
        {
            foreach (var c in text)
            {
                switch (c)
                {
                    case '<': target.Write("&lt;"); break;
                    case '&': target.Write("&amp;"); break;
                    default: target.Write(c); break;
                }
            }
        }
    }
}
