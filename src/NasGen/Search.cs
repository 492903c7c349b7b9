using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen;

/// <summary>
/// The common case in one call: <c>var result = await DigitsNet.Space.SearchAsync(evaluator, strategy: "bo", trials: 50, store: "runs/x.db");</c>.
/// It opens the store, builds the strategy by name with its default options, runs the experiment (resuming it when the
/// store already holds it) and returns the result with the best trial. For constraints, costs, objectives, concurrency
/// and the rest, use <see cref="Experiment{TArchitecture}"/> itself.
/// </summary>
public static class Search
{
    /// <summary>Searches <paramref name="space"/> with <paramref name="evaluator"/> (an extension method on the space).</summary>
    /// <param name="space">The search space, e.g. a generated <c>DigitsNet.Space</c>.</param>
    /// <param name="evaluator">Evaluates architectures.</param>
    /// <param name="strategy">A strategy name from <see cref="SearchStrategies.Names"/>, with its default options.</param>
    /// <param name="trials">Most trials in total; a resumed search counts the stored ones.</param>
    /// <param name="store">
    /// Where trials are recorded, as <see cref="ExperimentStores.OpenAsync"/> reads it (a SQLite path or a PostgreSQL
    /// location; <c>NASGEN_STORE</c> overrides it). Running again on the same store resumes the search. Null keeps the
    /// trials in a temporary SQLite file, deleted when the search ends.
    /// </param>
    /// <param name="seed">The experiment seed: the same seed, strategy and evaluator give the same trials.</param>
    /// <param name="direction">Whether the evaluator's fitness is maximised (an accuracy) or minimised (a loss).</param>
    /// <param name="name">The experiment's name in the store; by default the space's name and the strategy, e.g. <c>DigitsNet-bo</c>.</param>
    /// <param name="observer">Receives progress and messages (e.g. <see cref="Reporting.ConsoleProgress"/>); null for silence.</param>
    /// <param name="cancellationToken">Stops the search cleanly; unfinished trials are left for a resume.</param>
    public static async Task<ExperimentResult<TArchitecture>> SearchAsync<TArchitecture>(this ISearchSpace<TArchitecture> space,
        IEvaluator<TArchitecture> evaluator, string strategy = "tpe", int trials = 100, string? store = null, int seed = 0,
        ObjectiveDirection direction = ObjectiveDirection.Maximize, string? name = null, IExperimentObserver? observer = null,
        CancellationToken cancellationToken = default)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        // Resolved now, so that an unknown name is an error before any store is opened or created.
        var probe = SearchStrategies.Create(strategy, space, seed);
        (probe as IDisposable)?.Dispose();
        var options = new ExperimentOptions<TArchitecture>
        {
            Name = name ?? $"{space.Name}-{strategy.Trim().ToLowerInvariant()}",
            Seed = seed,
            MaxTrials = trials,
            Direction = direction,
            Observer = observer,
        };
        string? temporary = store is null ? Path.Combine(Path.GetTempPath(), "nasgen-search-" + Guid.NewGuid().ToString("N")) : null;
        try
        {
            if (temporary is not null) Directory.CreateDirectory(temporary);
            await using var opened = await ExperimentStores.OpenAsync(store ?? Path.Combine(temporary!, "trials.db"), cancellationToken).ConfigureAwait(false);
            return await new Experiment<TArchitecture>(space, s => SearchStrategies.Create(strategy, space, s), evaluator, opened, options)
                .RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (temporary is not null)
                try { Directory.Delete(temporary, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Searches <paramref name="space"/> for the best value of <paramref name="objective"/>, a function of the
    /// architecture alone (a formula, a table lookup, a proxy score); see the other overload for the parameters.
    /// </summary>
    public static Task<ExperimentResult<TArchitecture>> SearchAsync<TArchitecture>(this ISearchSpace<TArchitecture> space,
        Func<TArchitecture, double> objective, string strategy = "tpe", int trials = 100, string? store = null, int seed = 0,
        ObjectiveDirection direction = ObjectiveDirection.Maximize, string? name = null, IExperimentObserver? observer = null,
        CancellationToken cancellationToken = default)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(objective);
        return space.SearchAsync(new FunctionEvaluator<TArchitecture>(objective), strategy, trials, store, seed, direction, name, observer, cancellationToken);
    }

    private sealed class FunctionEvaluator<TArchitecture>(Func<TArchitecture, double> objective) : IEvaluator<TArchitecture>
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

        public Task<EvaluationResult> EvaluateAsync(TArchitecture architecture, EvaluationContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new EvaluationResult(objective(architecture), NoMetrics));
    }
}
