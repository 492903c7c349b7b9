using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using NasGen.Strategies;

namespace NasGen.Benchmarks;

/// <summary>
/// A full hyperparameter fit of the Gaussian process behind <c>bo</c>, <c>parego</c> and <c>ehvi</c>: the grid over
/// one shared length-scale and the noise, then the likelihood ascent over one length-scale per choice. It runs after
/// each outcome below 64 outcomes and when the outcomes have grown by 25 % since the last fit.
/// </summary>
[InvocationCount(1)]
public class GaussianProcessFitBenchmarks
{
    private List<int[]> _codes = null!;
    private List<double> _targets = null!;

    /// <summary>Outcomes the process is fitted to.</summary>
    [Params(100, 500, 1000)]
    public int Observations { get; set; }

    /// <summary>Random architectures of the benchmark space and their synthetic fitness.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var space = BenchmarkSpace.Instance;
        var architectures = Enumerable.Range(0, Observations).Select(_ => space.Sample(random)).ToList();
        _codes = architectures.Select(a => space.EncodeCategorical(a)).ToList();
        _targets = architectures.Select(a => space.Fitness(a)).ToList();
    }

    /// <summary>One fit from scratch.</summary>
    [Benchmark]
    public double Fit()
    {
        var process = CategoricalGaussianProcess.For(BenchmarkSpace.Instance, candidateWeights: true); // as Bayesian optimization builds it
        process.Fit(_codes, _targets);
        return process.LogMarginalLikelihood;
    }
}
