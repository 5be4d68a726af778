namespace ReportGen.Llama;

/// <summary>
/// What the host knows of requests on their way to the scheduler: the requests it has received and not yet answered, and
/// its new client connections (an HTTP server counts each request from its first byte to its last, each connection from
/// accept until its first request arrives: an idle kept-alive connection says nothing of a coming request, and its next
/// request is counted as a request). The scheduler's admission wait (<see cref="SchedulerOptions.AdmissionWaitFraction"/>) reads it to wait
/// only while another request may be coming: more requests, or more connections, than the scheduler holds. So a lone
/// client's request starts at once, and a burst, even one still opening its connections, starts in one step.
/// </summary>
public sealed class ArrivalGauge
{
    private int _requests;
    private int _connections;

    /// <summary>Requests in the host now.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Client connections accepted whose first request has not arrived yet.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Raised after a request or connection has left (the scheduler then looks again whether anyone may be coming).</summary>
    public event Action? Left;

    /// <summary>Counts a request in until the returned scope is disposed.</summary>
    public Scope EnterRequest()
    {
        Interlocked.Increment(ref _requests);
        return new Scope(this, isConnection: false);
    }

    /// <summary>Counts a new connection in until the returned scope is disposed (its first request has arrived, or it closed).</summary>
    public Scope EnterConnection()
    {
        Interlocked.Increment(ref _connections);
        return new Scope(this, isConnection: true);
    }

    /// <summary>Whether more requests may be coming than the <paramref name="held"/> the scheduler has.</summary>
    public bool MoreThan(int held) => Requests > held || Connections > held;

    /// <summary>One request's or connection's presence in the host.</summary>
    public readonly struct Scope(ArrivalGauge gauge, bool isConnection) : IDisposable
    {
        /// <summary>It has left the host.</summary>
        public void Dispose()
        {
            if (isConnection) Interlocked.Decrement(ref gauge._connections);
            else Interlocked.Decrement(ref gauge._requests);
            gauge.Left?.Invoke();
        }
    }
}
