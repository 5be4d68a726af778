namespace ReportGen.Llama;

/// <summary>
/// Finds stop sequences in streamed text, across piece boundaries: text that could still be the start of a
/// stop sequence is held back until the next piece decides it.
/// </summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private readonly string[] _stops = stops.Where(s => s.Length > 0).ToArray();
    private string _held = "";

    /// <summary>Adds text; returns the text that is safe to emit and whether a stop sequence was found (text after it is dropped).</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        if (_stops.Length == 0) return (text, false);
        var s = _held + text;
        var first = -1;
        foreach (var stop in _stops)
        {
            var i = s.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        if (first >= 0)
        {
            _held = "";
            return (s[..first], true);
        }
        var keep = 0;
        foreach (var stop in _stops)
        {
            for (var k = Math.Min(stop.Length - 1, s.Length); k > keep; k--)
            {
                if (s.AsSpan(s.Length - k).SequenceEqual(stop.AsSpan(0, k))) { keep = k; break; }
            }
        }
        _held = s[(s.Length - keep)..];
        return (s[..(s.Length - keep)], false);
    }

    /// <summary>The held-back text, at the end of generation.</summary>
    public string Flush()
    {
        var s = _held;
        _held = "";
        return s;
    }
}
