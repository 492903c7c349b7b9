using System;
using System.Globalization;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;

// Usage: NasGen.CrashHarness <store.db> <seed> <trials> <step-delay-ms>
// Runs the experiment the crash-and-resume test also runs uninterrupted; the test kills this process at random points.
// Usage: NasGen.CrashHarness worker <name> <table.csv> <seed> <trials> <trial-delay-ms> <lease-ms>
// One worker of a shared experiment on the store NASGEN_STORE names (PostgreSQL): the distributed tests start several.
if (args.Length == 7 && args[0] == "worker")
    return await SharedWorker.RunAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture),
        TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture)), TimeSpan.FromMilliseconds(int.Parse(args[6], CultureInfo.InvariantCulture)));
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: NasGen.CrashHarness <store.db> <seed> <trials> <step-delay-ms>");
    return 2;
}
int seed = int.Parse(args[1], CultureInfo.InvariantCulture);
int trials = int.Parse(args[2], CultureInfo.InvariantCulture);
int delayMs = int.Parse(args[3], CultureInfo.InvariantCulture);
SqliteExperimentStore store;
try
{
    store = SqliteExperimentStore.Open(args[0]);
}
catch (StoreInUseException e)
{
    // The single-writer test starts two of these on one store: the second must be refused, untouched.
    Console.Error.WriteLine($"refused: {e.Message}");
    return 3;
}
await using var _ = store;
if (store.PreviousWriter is { } previous) Console.WriteLine($"took over from {previous}");
// The test kills this process after a chosen number of finished trials: progress, not wall time, since start-up
// and JIT time vary too much between machines.
var result = await CrashExperiment.Create(store, seed, trials, TimeSpan.FromMilliseconds(delayMs), new ProgressLines()).RunAsync();
Console.WriteLine($"done {result.Trials.Count} trials, stop: {result.StopReason}, resumed {result.Resume}");
return 0;

namespace NasGen.CrashHarness
{
    /// <summary>The experiment of the crash-and-resume test, built the same way in the child and in the test.</summary>
    public static class CrashExperiment
    {
        /// <summary>A hill climb over <see cref="TestSpace"/> with dedup and median stopping: every resume path is exercised.</summary>
        public static Experiment<TestArch> Create(IExperimentStore store, int seed, int trials, TimeSpan stepDelay, IExperimentObserver? observer = null) =>
            new(TestSpace.Default, s => new HillClimbStrategy(TestSpace.Default, s), new SyntheticEvaluator { StepDelay = stepDelay }, store,
                new ExperimentOptions<TestArch>
                {
                    Name = "crash",
                    Observer = observer,
                    Seed = seed,
                    MaxTrials = trials,
                    MedianStopping = new MedianStoppingRule(GraceSteps: 2, MinFinishedTrials: 3),
                    Constraints = new[] { new ArchitectureConstraint<TestArch>("no 5x5 at width 64", a => !(a.Width == 64 && a.Op == TestOp.Conv5x5)) },
                });
    }

    /// <summary>Writes <c>finished N</c> on every progress report, for the parent test to time its kills.</summary>
    internal sealed class ProgressLines : IExperimentObserver
    {
        /// <inheritdoc />
        public void OnProgress(ExperimentProgress progress) => Console.WriteLine($"finished {progress.Finished}");

        /// <inheritdoc />
        public void OnMessage(string message) => Console.WriteLine(message);
    }
}
