using NasGen.Experiments;
using Spectre.Console;

namespace NasGen.Reporting;

/// <summary>
/// Shows an experiment's progress on the console: a live Spectre.Console panel (done/total, running, failed, best
/// so far, ETA) on a terminal, plain lines when the output is redirected (CI logs, files).
/// </summary>
public static class ConsoleProgress
{
    /// <summary>
    /// Runs <paramref name="run"/> with an observer that shows its progress; pass the observer in the experiment's
    /// options (<c>options with { Observer = observer }</c>).
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<IExperimentObserver, Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Console.IsOutputRedirected)
            return await run(new PlainLinesObserver(Console.Out)).ConfigureAwait(false);

        var live = new LiveObserver();
        T result = default!;
        await AnsiConsole.Live(live.Render()).AutoClear(false).StartAsync(async context =>
        {
            live.Context = context;
            result = await run(live).ConfigureAwait(false);
            context.UpdateTarget(live.Render());
        }).ConfigureAwait(false);
        return result;
    }

    /// <summary>One line per finished trial or message: what a log or a redirected console gets.</summary>
    public sealed class PlainLinesObserver(TextWriter writer) : IExperimentObserver
    {
        private int _lastFinished = -1;

        /// <inheritdoc />
        public void OnProgress(ExperimentProgress progress)
        {
            ArgumentNullException.ThrowIfNull(progress);
            if (progress.Finished == _lastFinished) return; // a line per finished trial, not per start
            _lastFinished = progress.Finished;
            writer.WriteLine(Describe(progress));
        }

        /// <inheritdoc />
        public void OnMessage(string message) => writer.WriteLine(message);
    }

    /// <summary>The progress as one line of text.</summary>
    public static string Describe(ExperimentProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        string total = progress.Total is { } t ? "/" + t.ToString(CultureInfo.InvariantCulture) : "";
        string best = progress.BestFitness is { } b ? b.ToString("G6", CultureInfo.InvariantCulture) : "-";
        string eta = progress.Remaining is { } r ? $" eta {r:hh\\:mm\\:ss}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{progress.Elapsed:hh\\:mm\\:ss}] trials {progress.Finished}{total} running {progress.Running} failed {progress.Failed} best {best}{eta}");
    }

    private sealed class LiveObserver : IExperimentObserver
    {
        private ExperimentProgress? _progress;
        private string _lastMessage = "";

        public LiveDisplayContext? Context { get; set; }

        public void OnProgress(ExperimentProgress progress)
        {
            _progress = progress;
            Context?.UpdateTarget(Render());
        }

        public void OnMessage(string message)
        {
            _lastMessage = message;
            Context?.UpdateTarget(Render());
        }

        public Table Render()
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("trials").AddColumn("running").AddColumn("failed")
                .AddColumn("best so far").AddColumn("elapsed").AddColumn("ETA");
            var p = _progress;
            if (p is null)
                table.AddRow("0", "0", "0", "-", "-", "-");
            else
                table.AddRow(
                    p.Total is { } t ? $"{p.Finished}/{t}" : p.Finished.ToString(CultureInfo.InvariantCulture),
                    p.Running.ToString(CultureInfo.InvariantCulture),
                    p.Failed.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(p.BestFitness is { } b ? $"{b.ToString("G6", CultureInfo.InvariantCulture)}  {p.BestCanonical}" : "-"),
                    p.Elapsed.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
                    p.Remaining is { } r ? r.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-");
            if (_lastMessage.Length > 0) table.Caption(Markup.Escape(_lastMessage));
            return table;
        }
    }
}
