using System.CommandLine;

namespace ReportGen.Cli.Commands;

/// <summary>A verb whose implementation has not landed yet: says so on stderr and exits 2.</summary>
internal static class PendingCommand
{
    public static Command Create(string name, string description)
    {
        var command = new Command(name, description + " (not implemented yet)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine($"reportgen {name}: not implemented yet");
            return 2;
        });
        return command;
    }
}
