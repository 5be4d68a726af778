using System.CommandLine;
using Microsoft.Extensions.Hosting;
using ReportGen.Api;

namespace ReportGen.Cli.Commands;

/// <summary><c>reportgen serve [--urls URL]</c>: runs the HTTP service.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "URLs to bind, e.g. http://127.0.0.1:5080 (default: configuration, else http://127.0.0.1:5080)" };
        var command = new Command("serve", "Run the HTTP service") { urls };
        command.SetAction(async (parse, ct) =>
        {
            var args = new List<string>();
            if (parse.GetValue(urls) is { } u) args.AddRange(["--urls", u]);
            await using var app = ReportGenApp.Build([.. args]);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
