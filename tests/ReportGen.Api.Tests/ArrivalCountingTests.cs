using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Llama;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// The arrival gauge that the LLM scheduler's admission wait reads, counted by the real Kestrel server (connections) and
/// request pipeline (POST requests).
/// </summary>
public class ArrivalCountingTests
{
    [Fact]
    public async Task A_connection_counts_from_accept_until_its_first_request_and_an_idle_kept_alive_one_not_at_all()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDir();
        await using var app = ReportGenApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing", "--ReportGen:ApiKeys:0:Name=t",
            "--ReportGen:ApiKeys:0:Key=arrival-test-key-0123456789", $"--ReportGen:DataDirectory={data.Path}"]);
        await app.StartAsync(ct);
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var arrivals = app.Services.GetRequiredService<ArrivalGauge>();
        arrivals.Connections.ShouldBe(0);

        // A client that has connected and not yet sent its request (a burst's later member) is counted.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, url.Port, ct);
            await Until(() => arrivals.Connections == 1, "an open connection was not counted");
            arrivals.Requests.ShouldBe(0);
        }
        await Until(() => arrivals.Connections == 0, "a closed connection is still counted");

        // A GET over a kept-alive connection: the GET never counts, and the connection only until that first request
        // arrived. Idle in the client's pool it says nothing of a coming request (a lone request would wait for it).
        using (var http = new HttpClient { BaseAddress = url })
        {
            (await http.GetAsync("/health/live", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            arrivals.Requests.ShouldBe(0);
            arrivals.Connections.ShouldBe(0);
            // Its next request, a POST, counts as a request while it is in the host (here: refused without a key).
            (await http.PostAsync("/v1/reports/structure", new StringContent("{}"), ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (arrivals.Requests, arrivals.Connections).ShouldBe((0, 0));
        }
        await app.StopAsync(ct);
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="because"/> after 10 s.</summary>
    internal static async Task Until(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(because);
            await Task.Delay(10);
        }
    }
}
