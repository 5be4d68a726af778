using System.Net.Sockets;

namespace ReportGen.Pipelines.Remote;

/// <summary>
/// Tells a request that failed because the server had already closed its kept-alive connection from a server that
/// failed, for every HTTP client of an inference engine (our remote client and the benchmark's load generator).
/// <para>
/// llama-server (cpp-httplib) closes the connection after every streamed response although the response advertised
/// <c>Keep-Alive</c>: its content provider reports the end of a stream as a cancel, and httplib then shuts the socket
/// down and discards whatever the client sent meanwhile. A client that reuses the connection before the close arrives
/// sees its next request fail before any answer: "the response ended prematurely" or a reset. .NET retries such a
/// failure itself only for a request without a body; a chat completion has one. The server never worked on that
/// request, so a real client sends it again on a new connection (curl: "connection seems to be dead"; the OpenAI SDKs
/// retry connection errors), counting it as a reconnect rather than as an error.
/// </para>
/// </summary>
public static class ClosedConnections
{
    /// <summary>Times one request is sent again after meeting a connection the server had just closed.</summary>
    public const int MaxResends = 2;

    /// <summary>True when the request failed before any response because the peer closed or reset the connection.</summary>
    public static bool IsClosedByServer(HttpRequestException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.StatusCode is null
            && (failure.HttpRequestError == HttpRequestError.ResponseEnded
                || Chain(failure).Any(e => e is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }));
    }

    /// <summary>
    /// The exception and its inner exceptions on one line, with the HTTP error kind and socket error where there is one
    /// (e.g. <c>HttpRequestException(ResponseEnded): … -> HttpIOException: The response ended prematurely</c>).
    /// </summary>
    public static string Describe(Exception failure) =>
        string.Join(" -> ", Chain(failure).Select(e => e switch
        {
            HttpRequestException h => $"{e.GetType().Name}({h.HttpRequestError}): {e.Message}",
            SocketException s => $"{e.GetType().Name}({s.SocketErrorCode}): {e.Message}",
            _ => $"{e.GetType().Name}: {e.Message}",
        }));

    private static IEnumerable<Exception> Chain(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException) yield return e;
    }
}
