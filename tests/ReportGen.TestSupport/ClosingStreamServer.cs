using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReportGen.TestSupport;

/// <summary>
/// A bare HTTP/1.1 server on a free loopback port that streams Server-Sent Events the way llama-server does, down to the
/// fault: every answer advertises <c>Keep-Alive</c>, yet after <c>answersPerConnection</c> answers the server reads the
/// next request on that connection and closes it unanswered (llama-server closes after every streamed answer and
/// discards what arrived meanwhile; here the close is made to meet the request every time, where on the real server it
/// is a race under load). Plain sockets, because Kestrel would not misbehave so.
/// </summary>
public sealed class ClosingStreamServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyList<(string Data, int DelayMs)> _events;
    private readonly int _answersPerConnection;
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;
    private int _answered;
    private int _dropped;

    private ClosingStreamServer(IReadOnlyList<(string Data, int DelayMs)> events, int answersPerConnection)
    {
        _events = events;
        _answersPerConnection = answersPerConnection;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>http://127.0.0.1:PORT/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Connections accepted.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Requests answered with the stream.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Requests read and dropped with their connection.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// Starts the server. Each request gets <paramref name="events"/> (each an SSE <c>data:</c> payload, sent after its
    /// delay) as one chunked response; <paramref name="answersPerConnection"/> 0 drops every request.
    /// </summary>
    public static ClosingStreamServer Start(IReadOnlyList<(string Data, int DelayMs)> events, int answersPerConnection = 1) => new(events, answersPerConnection);

    /// <summary>The events of a streamed chat completion of <paramref name="tokens"/> one-letter tokens, as llama-server sends them.</summary>
    public static IReadOnlyList<(string Data, int DelayMs)> Chat(int tokens, int delayMs = 0)
    {
        var events = new List<(string, int)> { ("""{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"object":"chat.completion.chunk"}""", delayMs) };
        for (var i = 0; i < tokens; i++)
            events.Add(("""{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"a"}}],"object":"chat.completion.chunk"}""", i == 0 ? 0 : delayMs));
        events.Add(("""{"choices":[{"finish_reason":"length","index":0,"delta":{}}],"object":"chat.completion.chunk"}""", 0));
        events.Add(($$$"""{"choices":[],"object":"chat.completion.chunk","usage":{"completion_tokens":{{{tokens}}},"prompt_tokens":5,"total_tokens":{{{tokens + 5}}}}}""", 0));
        events.Add(("[DONE]", 0));
        return events;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _accepted);
                _connections.Add(Task.Run(() => ServeAsync(socket)));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            for (var answered = 0; ; answered++)
            {
                if (!await ReadRequestAsync(stream).ConfigureAwait(false)) return;
                if (answered >= _answersPerConnection)
                {
                    Interlocked.Increment(ref _dropped);
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
                await Write(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nKeep-Alive: timeout=5, max=100\r\n\r\n").ConfigureAwait(false);
                foreach (var (data, delay) in _events)
                {
                    if (delay > 0) await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                    var payload = $"data: {data}\n\n";
                    await Write(stream, $"{Encoding.UTF8.GetByteCount(payload):x}\r\n{payload}\r\n").ConfigureAwait(false);
                }
                await Write(stream, "0\r\n\r\n").ConfigureAwait(false);
                Interlocked.Increment(ref _answered);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away, or the server stops
        }
    }

    private Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), _stop.Token).AsTask();

    // Reads one request (headers, then its body by Content-Length or chunked); false when the client closed the connection.
    private async Task<bool> ReadRequestAsync(NetworkStream stream)
    {
        if (await ReadLineAsync(stream, "\r\n\r\n").ConfigureAwait(false) is not { } head) return false;
        var headers = head.Split("\r\n");
        if (headers.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            while (await ReadLineAsync(stream, "\r\n").ConfigureAwait(false) is { } size)
            {
                var n = Convert.ToInt32(size.Split(';')[0].Trim(), 16);
                await stream.ReadExactlyAsync(new byte[n + 2], _stop.Token).ConfigureAwait(false); // data and its CRLF
                if (n == 0) return true;
            }
            return false;
        }
        var length = headers.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        await stream.ReadExactlyAsync(new byte[length], _stop.Token).ConfigureAwait(false);
        return true;
    }

    // Bytes up to and without the terminator, as ASCII; null when the connection closed first.
    private async Task<string?> ReadLineAsync(NetworkStream stream, string terminator)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < terminator.Length || Encoding.ASCII.GetString(bytes.GetRange(bytes.Count - terminator.Length, terminator.Length).ToArray()) != terminator)
        {
            if (await stream.ReadAsync(one, _stop.Token).ConfigureAwait(false) == 0) return null;
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray(), 0, bytes.Count - terminator.Length);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_connections).ConfigureAwait(false);
        _stop.Dispose();
    }
}
