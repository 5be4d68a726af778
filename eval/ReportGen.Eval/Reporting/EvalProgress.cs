using Spectre.Console;

namespace ReportGen.Eval.Reporting;

/// <summary>
/// Progress bars for long runs, on stderr (stdout stays for results). When stderr is redirected, Spectre prints
/// nothing animated; a line per 10% is written instead so logs still show progress.
/// </summary>
public static class EvalProgress
{
    /// <summary>A console writing to stderr.</summary>
    public static IAnsiConsole StandardError { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    /// <summary>Runs <paramref name="body"/> over <paramref name="items"/> with a progress bar titled <paramref name="description"/>.</summary>
    public static async Task<IReadOnlyList<TResult>> ForEachAsync<TItem, TResult>(
        string description,
        IReadOnlyList<TItem> items,
        Func<TItem, CancellationToken, Task<TResult>> body,
        CancellationToken cancellationToken,
        IAnsiConsole? console = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        console ??= StandardError;
        var results = new TResult[items.Count];
        if (!console.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
        {
            var step = Math.Max(1, items.Count / 10);
            for (var i = 0; i < items.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[i] = await body(items[i], cancellationToken).ConfigureAwait(false);
                if ((i + 1) % step == 0 || i + 1 == items.Count) console.MarkupLine($"{Markup.Escape(description)}: {i + 1}/{items.Count}");
            }
            return results;
        }

        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, items.Count));
                for (var i = 0; i < items.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    results[i] = await body(items[i], cancellationToken).ConfigureAwait(false);
                    task.Increment(1);
                }
            }).ConfigureAwait(false);
        return results;
    }
}
