using System;
using System.Collections.Generic;
using System.Linq;

namespace NasGen.Strategies;

/// <summary>
/// One <see cref="CategoricalGaussianProcess"/> per objective over the same observed architectures, for the
/// multi-objective model-based strategies. Hyperparameters are refitted as <see cref="BayesianOptimization{TArchitecture}"/>
/// refits them (every time below 64 observations, then after growth by
/// <see cref="BayesianOptimizationOptions.HyperparameterRefitGrowth"/>); in between the factorizations are extended.
/// </summary>
internal sealed class ObjectiveModels
{
    private readonly int _dimensions;
    private readonly double _refitGrowth;
    private readonly List<int[]> _codes = new();
    private CategoricalGaussianProcess[] _models = [];
    private bool _stale;
    private int _lastHyperparameterFit;

    public ObjectiveModels(int dimensions, BayesianOptimizationOptions options)
    {
        _dimensions = dimensions;
        _refitGrowth = options.HyperparameterRefitGrowth;
    }

    /// <summary>The model of each objective, as of the last <see cref="Refresh"/>.</summary>
    public IReadOnlyList<CategoricalGaussianProcess> Models => _models;

    /// <summary>Number of observations added.</summary>
    public int Count => _codes.Count;

    /// <summary>Adds an observed architecture (its categorical codes); its objectives come with the next <see cref="Refresh"/>.</summary>
    public void Add(int[] codes)
    {
        _codes.Add(codes);
        _stale = true;
    }

    /// <summary>Fits or extends every model to the objectives of the observations, in the order they were added.</summary>
    public void Refresh(IReadOnlyList<IReadOnlyList<double>> objectives)
    {
        if (!_stale) return;
        if (objectives.Count != _codes.Count) throw new ArgumentException($"Expected {_codes.Count} objective vectors, one per observation.", nameof(objectives));
        int m = objectives[0].Count, n = _codes.Count;
        if (_models.Length != m) _models = Enumerable.Range(0, m).Select(_ => new CategoricalGaussianProcess(_dimensions)).ToArray();
        bool refit = n < 64 || n >= _lastHyperparameterFit * _refitGrowth;
        for (int j = 0; j < m; j++)
        {
            var targets = objectives.Select(p => p[j]).ToList();
            if (refit) _models[j].Fit(_codes, targets);
            else _models[j].Extend(_codes, targets);
        }
        if (refit) _lastHyperparameterFit = n;
        _stale = false;
    }
}
