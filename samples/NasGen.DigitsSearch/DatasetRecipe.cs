using System;
using System.Linq;

namespace NasGen.DigitsSearch;

/// <summary>The main job's training recipe for each dataset, where the command line leaves it open.</summary>
/// <param name="Name">The <c>--dataset</c> value.</param>
/// <param name="Downsample">Whether the stem halves the resolution (28x28 images).</param>
/// <param name="Epochs">Epochs per trial.</param>
/// <param name="FinalEpochs">Epochs when retraining the winner.</param>
/// <param name="SearchExamples">Training examples per trial (null: all).</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="TrialTimeout">A trial that runs longer failed.</param>
internal sealed record DatasetRecipe(string Name, bool Downsample, int Epochs, int FinalEpochs, int? SearchExamples, int BatchSize, TimeSpan TrialTimeout)
{
    // fashion-small: 2 epochs on 4,000 images per trial keeps 20 trials and the retraining inside the first command's
    // 3 minutes on 2 cores, and short training is where the architectures differ most.
    private static readonly DatasetRecipe[] All =
    [
        new("fashion-small", Downsample: false, Epochs: 2, FinalEpochs: 8, SearchExamples: 4000, BatchSize: 64, TimeSpan.FromMinutes(5)),
        new("digits", Downsample: false, Epochs: 4, FinalEpochs: 20, SearchExamples: null, BatchSize: 32, TimeSpan.FromMinutes(2)),
        new("mnist", Downsample: true, Epochs: 2, FinalEpochs: 8, SearchExamples: null, BatchSize: 128, TimeSpan.FromMinutes(15)),
        new("fashion-mnist", Downsample: true, Epochs: 2, FinalEpochs: 8, SearchExamples: null, BatchSize: 128, TimeSpan.FromMinutes(15)),
    ];

    public static DatasetRecipe For(string name) => All.Single(recipe => recipe.Name == name);

    /// <summary>One setting across the datasets, for <c>--help</c>: "2 for fashion-small, 4 for digits, ...".</summary>
    public static string Describe(Func<DatasetRecipe, object> setting) => string.Join(", ", All.Select(recipe => $"{setting(recipe)} for {recipe.Name}"));
}
