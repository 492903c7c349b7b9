using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NasGen.Data;
using NasGen.OneShot;
using NasGen.Tests.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.Tests.OneShot;

public sealed class OneShotSearchTests : IDisposable
{
    private readonly ClassificationData _digits = Datasets.Digits();
    private readonly DataSplit _split;

    public OneShotSearchTests() => _split = _digits.Split(0.15, 0.1, seed: 4);

    public void Dispose()
    {
        _split.Dispose();
        _digits.Dispose();
    }

    private static readonly OneShotOptions Tiny = new()
    {
        Epochs = 2, BatchSize = 64, Device = CPU, ScoreBatches = 2, ScoreBatchSize = 128,
        EvolutionSamples = 12, EvolutionPopulation = 4, EvolutionTournament = 2, ControllerSteps = 4, ControllerFinalSamples = 3,
        ArchitectureLearningRate = 0.01, CpuThreads = 1,
    };

    private OneShotResult Search(OneShotMethod method, int seed, out double[][] alphas)
    {
        torch.random.manual_seed(seed);
        using var context = new SupernetContext(seed);
        using var supernet = new TinyNet(context);
        var result = new OneShotSearch(supernet, context, _split.Train, _split.Validation, Tiny).Run(method, seed);
        alphas = context.Probabilities();
        Assert.Equal(SupernetMode.Fixed, context.Mode);
        Assert.Equal(result.Path, context.Path);
        return result;
    }

    [Theory]
    [InlineData(OneShotMethod.DartsFirstOrder)]
    [InlineData(OneShotMethod.DartsSecondOrder)]
    [InlineData(OneShotMethod.Gdas)]
    [InlineData(OneShotMethod.Spos)]
    [InlineData(OneShotMethod.Enas)]
    public void Every_method_trains_derives_and_is_reproducible(OneShotMethod method)
    {
        OneShotResult first = Search(method, 5, out double[][] alphas);
        OneShotResult again = Search(method, 5, out double[][] alphasAgain);

        Assert.Equal(2, first.History.Count);
        Assert.All(first.History, h => Assert.True(double.IsFinite(h.TrainLoss)));
        Assert.Equal(first.Labels.Count, first.Path.Length);
        Assert.Equal(first.Path, again.Path);
        Assert.Equal(first.History.Select(h => h.TrainLoss), again.History.Select(h => h.TrainLoss));
        Assert.Equal(alphas, alphasAgain);
        bool learnsAlphas = method is OneShotMethod.DartsFirstOrder or OneShotMethod.DartsSecondOrder or OneShotMethod.Gdas;
        Assert.Equal(learnsAlphas, alphas.Any(p => p.Max() - p.Min() > 1e-3));
        if (learnsAlphas)
        {
            // The derived path is the DARTS rule on the final alphas: never None when something else exists.
            for (int c = 0; c < first.Labels.Count; c++)
                Assert.False(first.CandidateNames[c].Count > 1 && first.Tokens[c] == "None", $"{first.Labels[c]} derived None");
        }
    }

    [Fact]
    public void Gdas_anneals_the_temperature_linearly()
    {
        OneShotResult result = Search(OneShotMethod.Gdas, 6, out _);
        Assert.Equal(Tiny.InitialTemperature, result.History[0].Temperature);
        Assert.Equal(Tiny.FinalTemperature, result.History[^1].Temperature!.Value, 12);
    }

    [Fact]
    public void The_report_writes_the_derived_architecture_and_the_weight_plot()
    {
        OneShotResult result = Search(OneShotMethod.DartsFirstOrder, 7, out _);
        using var directory = new TempDirectory();
        var files = OneShotReport.Write(result, directory.Path);
        using var json = JsonDocument.Parse(File.ReadAllText(files[0]));
        Assert.Equal("DartsFirstOrder", json.RootElement.GetProperty("method").GetString());
        Assert.Equal(result.Tokens[0], json.RootElement.GetProperty("choices").GetProperty("block").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("history").GetArrayLength());
        byte[] png = File.ReadAllBytes(files[1]);
        Assert.True(png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G');
    }
}
