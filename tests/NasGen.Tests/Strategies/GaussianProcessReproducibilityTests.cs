using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

/// <summary>
/// Pins the Gaussian process, Bayesian optimization and the two Gaussian-process multi-objective searches to the bit:
/// every double they produce on a seeded run is hashed and compared with the digest recorded before the process was
/// split into kernel, fit, linear algebra and posterior (the multi-objective one before their prediction loop moved
/// into <c>ObjectivePredictor</c>). A refactoring that changes the order of one floating-point operation changes the digest.
/// </summary>
public sealed class GaussianProcessReproducibilityTests
{
    private static readonly PlantedSpace Space = PlantedSpace.Instance;

    // Recorded with Vector<double>.Count == 4 (AVX2 and AVX-512 x64 under .NET's default 256-bit Vector<T>); the dot
    // product's summation order depends on the vector width, so other widths only check that two runs agree.
    private const int PinnedVectorWidth = 4;
    private const string PinnedFitDigest = "9E6996F5F5AE607ADF7B20002A68B4C694692D83CFCF328E0B92C699ED8CFA33";
    private const string PinnedSearchDigest = "4D59887B56D0E9E037E2C0A8766489B9927C544115BFB2931E01E112AFB81B5F";
    private const string PinnedMultiObjectiveDigest = "68CE36CE82A314064A933E4ACF01A8633EAED44DE6026F53FB9DB04EDEDAE5C9";

    [Fact]
    public void Fit_extend_and_predict_reproduce_the_pinned_digest()
    {
        string digest = FitDigest();
        Assert.Equal(digest, FitDigest());
        if (Vector<double>.Count == PinnedVectorWidth) Assert.True(digest == PinnedFitDigest, $"The fit changed: digest {digest}, pinned {PinnedFitDigest}.");
    }

    [Fact]
    public void Seeded_bayesian_optimization_reproduces_the_pinned_digest()
    {
        string digest = SearchDigest();
        Assert.Equal(digest, SearchDigest());
        if (Vector<double>.Count == PinnedVectorWidth) Assert.True(digest == PinnedSearchDigest, $"The search changed: digest {digest}, pinned {PinnedSearchDigest}.");
    }

    [Fact]
    public void Seeded_multi_objective_searches_reproduce_the_pinned_digest()
    {
        string digest = MultiObjectiveDigest();
        Assert.Equal(digest, MultiObjectiveDigest());
        if (Vector<double>.Count == PinnedVectorWidth) Assert.True(digest == PinnedMultiObjectiveDigest, $"The searches changed: digest {digest}, pinned {PinnedMultiObjectiveDigest}.");
    }

    /// <summary>
    /// Every public number of the model along the three fits (the grid and gradient ascent with candidate weights,
    /// the ascent on a subset above 256 points, fixed hyperparameters) and an extension, with predictions.
    /// </summary>
    private static string FitDigest()
    {
        var values = new List<double>();
        var random = new Random(19);
        var architectures = Enumerable.Range(0, 320).Select(_ => Space.Sample(random)).ToList();
        var codes = architectures.Select(a => Space.EncodeCategorical(a)).ToList();
        var targets = architectures.Select(a => PlantedObjective.Evaluate(a)).ToList();
        var probes = Enumerable.Range(0, 40).Select(_ => Space.EncodeCategorical(Space.Sample(random))).ToList();

        foreach (int n in new[] { 60, 300 })
        {
            var weighted = CategoricalGaussianProcess.For(Space, candidateWeights: true);
            weighted.Fit(codes.Take(n).ToList(), targets.Take(n).ToList());
            Record(weighted, values, probes);
            weighted.Extend(codes.Take(n + 20).ToList(), targets.Take(n + 20).ToList());
            Record(weighted, values, probes);
        }
        var plain = CategoricalGaussianProcess.For(Space, candidateWeights: false);
        plain.Fit(codes.Take(80).ToList(), targets.Take(80).ToList());
        Record(plain, values, probes);
        plain.Fit(codes.Take(80).ToList(), targets.Take(80).ToList(), lengthScale: 2, noiseRatio: 1e-4);
        Record(plain, values, probes);
        return Digest(values);
    }

    private static void Record(CategoricalGaussianProcess model, List<double> values, List<int[]> probes)
    {
        values.AddRange(model.LengthScales);
        for (int d = 0; d < Space.Dimensions.Count; d++)
            for (int c = 0; c < Space.Dimensions[d].Count; c++) values.Add(model.CandidateLengthScale(d, c));
        values.AddRange([model.NoiseRatio, model.SignalVariance, model.LogMarginalLikelihood, model.BestStandardizedTarget]);
        var scratch = new double[model.Count];
        foreach (var probe in probes)
        {
            var (mean, variance) = model.Predict(probe);
            values.AddRange([mean, variance, model.PredictMeanStandardized(probe, scratch, out double bound), bound]);
            values.Add(model.CompleteVarianceStandardized(scratch));
        }
    }

    /// <summary>The proposals of a seeded search and the model's hyperparameters after it.</summary>
    private static string SearchDigest()
    {
        var values = new List<double>();
        foreach (bool copula in new[] { true, false })
        {
            var search = new BayesianOptimization<PlantedArchitecture>(Space, new BayesianOptimizationOptions { CopulaTransform = copula }, seed: 5);
            for (int trial = 0; trial < 40; trial++)
            {
                var suggestion = search.Ask()!;
                values.AddRange(Space.EncodeCategorical(suggestion.Architecture).Select(code => (double)code));
                search.Tell(suggestion, new TrialOutcome(PlantedObjective.Evaluate(suggestion.Architecture)));
            }
            values.AddRange(search.Model.LengthScales);
            values.AddRange([search.Model.NoiseRatio, search.Model.LogMarginalLikelihood]);
        }
        return Digest(values);
    }

    /// <summary>
    /// The proposals of seeded expected-hypervolume-improvement and ε-constraint searches on two objectives (the
    /// planted fitness and a cost, the negated sum of the codes), with the ε-constraint search's bounds.
    /// </summary>
    private static string MultiObjectiveDigest()
    {
        var values = new List<double>();
        var searches = new IMultiObjectiveStrategy<PlantedArchitecture>[]
        {
            new ExpectedHypervolumeImprovement<PlantedArchitecture>(Space, null, seed: 7),
            new EpsilonConstraintSearch<PlantedArchitecture>(Space, null, seed: 7),
        };
        foreach (var search in searches)
        {
            for (int trial = 0; trial < 30; trial++)
            {
                var suggestion = search.Ask()!;
                var codes = Space.EncodeCategorical(suggestion.Architecture);
                values.AddRange(codes.Select(code => (double)code));
                if (search is EpsilonConstraintSearch<PlantedArchitecture> epsilon) values.AddRange(epsilon.LastBounds);
                double fitness = PlantedObjective.Evaluate(suggestion.Architecture);
                search.Tell(suggestion, new TrialOutcome(fitness) { Objectives = [fitness, -codes.Sum()] });
            }
        }
        return Digest(values);
    }

    private static string Digest(List<double> values)
    {
        var bytes = new byte[values.Count * sizeof(long)];
        for (int i = 0; i < values.Count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * sizeof(long)), BitConverter.DoubleToInt64Bits(values[i]));
        return Convert.ToHexString(SHA256.HashData(bytes));
    }
}
