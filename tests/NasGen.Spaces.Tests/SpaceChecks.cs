using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.IntegrationTests.Export;
using NasGen.OneShot;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.Spaces.Tests;

/// <summary>The checks every hub space passes: training step, supernet steps, export round trip.</summary>
internal static class SpaceChecks
{
    /// <summary>Runs forward and backward on a batch of 2 and checks the logits' shape and that every weight got a finite gradient.</summary>
    public static void ForwardBackward(nn.Module<Tensor, Tensor> net, long[] exampleShape, int classes)
    {
        using var scope = NewDisposeScope();
        // As in training: oneDNN's convolutions give wrong input gradients for channel counts off 8 (ConvolutionGuard).
        using var guard = ConvolutionGuard.Attach(net);
        net.train();
        torch.manual_seed(1);
        var input = randn([2, .. exampleShape]);
        var logits = net.call(input);
        Assert.Equal(new long[] { 2, classes }, logits.shape);
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, classes - 1 }));
        loss.backward();
        Assert.True(double.IsFinite(loss.item<float>()), "the loss is not finite");
        foreach (var (name, parameter) in net.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} got no gradient");
            Assert.True(parameter.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
    }

    /// <summary>
    /// One epoch of first-order DARTS and one of SPOS (one step on 2 random examples) through
    /// <see cref="OneShotSearch"/>: DARTS moves the alphas; both derive a path whose architecture the space accepts.
    /// </summary>
    public static void DartsAndSposSteps<TArchitecture>(nn.Module<Tensor, Tensor> supernet, SupernetContext context,
        Func<IReadOnlyList<int>, TArchitecture> architectureOnPath, SearchSpace<TArchitecture> space, long[] exampleShape, int classes)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        torch.manual_seed(2);
        using var train = new ClassificationData(randn([2, .. exampleShape]), tensor(new long[] { 0, 1 }), classes);
        using var validation = new ClassificationData(randn([2, .. exampleShape]), tensor(new long[] { 1, 0 }), classes);
        var options = new OneShotOptions
        {
            Epochs = 1, BatchSize = 2, ScoreBatches = 1, ScoreBatchSize = 2,
            EvolutionSamples = 2, EvolutionPopulation = 2, EvolutionTournament = 1,
        };
        var search = new OneShotSearch(supernet, context, train, validation, options);
        var before = context.ArchitectureParameters.Select(a => a.detach().clone()).ToList();
        foreach (var method in new[] { OneShotMethod.DartsFirstOrder, OneShotMethod.Spos })
        {
            var result = search.Run(method, seed: 3);
            Assert.True(double.IsFinite(result.History[^1].TrainLoss), $"{method}: the training loss is not finite");
            space.Validate(architectureOnPath(result.Path));
            if (method == OneShotMethod.DartsFirstOrder)
                Assert.Contains(context.ArchitectureParameters.Zip(before), pair => (pair.First.detach() - pair.Second).abs().max().item<float>() > 0);
        }
        foreach (var tensor in before) tensor.Dispose();
    }

    /// <summary>
    /// <c>EmitSource</c> of each architecture compiles alone (TorchSharp only), takes the fixed network's weights
    /// strictly and computes the same outputs on a batch of 2 (evaluation mode). The exported class is constructed
    /// with <paramref name="constructorArguments"/>: the arguments <paramref name="create"/> gives the space's
    /// constructor after the architecture.
    /// </summary>
    public static void ExportRoundTrip<TArchitecture>(SearchSpace<TArchitecture> space, IReadOnlyList<TArchitecture> architectures,
        Func<TArchitecture, nn.Module<Tensor, Tensor>> create, object[] constructorArguments, long[] exampleShape, string prefix)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        var sources = architectures.Select((a, i) => space.EmitSource(a, $"{prefix}{i}", "Exported.Hub")).ToList();
        var assembly = ExportCompiler.Compile(sources);
        for (int i = 0; i < architectures.Count; i++)
        {
            using var original = create(architectures[i]);
            using var exported = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(assembly.GetType($"Exported.Hub.{prefix}{i}")!, constructorArguments)!;
            original.eval();
            exported.eval();
            var state = original.state_dict();
            Assert.Equal(state.Keys.Order(), exported.state_dict().Keys.Order());
            exported.load_state_dict(state, strict: true);

            using var scope = NewDisposeScope();
            torch.manual_seed(i);
            var input = randn([2, .. exampleShape]);
            var expected = original.call(input);
            var actual = exported.call(input);
            Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-5),
                $"{prefix}{i} ({architectures[i]}): outputs differ by {(expected - actual).abs().max().item<float>()}");
        }
    }

    /// <summary>Parameters and profiled multiply-accumulates of one 224×224 colour image, printed for the doc pages.</summary>
    public static (long Parameters, long MultiplyAdds) ImageNetCost(nn.Module<Tensor, Tensor> net, string name, Xunit.Abstractions.ITestOutputHelper output)
    {
        long parameters = Profilers.CountParameters(net);
        long multiplyAdds = Profilers.CountMultiplyAccumulates(net, 3, 224, 224);
        output.WriteLine($"{name}: {parameters} parameters, {multiplyAdds} profiled multiply-accumulates at 224×224");
        return (parameters, multiplyAdds);
    }

    /// <summary>Distinct architectures sampled with a seed.</summary>
    public static List<T> Sample<T>(SearchSpace<T> space, int seed, int count) where T : struct, IEquatable<T>
    {
        var random = new Random(seed);
        var seen = new HashSet<T>();
        while (seen.Count < count) seen.Add(space.Sample(random));
        return seen.ToList();
    }

    /// <summary>The NAS-Bench-201 table in ../shared beside the repository (never copied in).</summary>
    public static string Nb201TablePath([CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "..", "shared", "data", "nb201", "nb201-cifar10.csv"));
}

/// <summary>A fact skipped, saying why, when the shared NAS-Bench-201 table is absent.</summary>
public sealed class Nb201TableFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the table is missing.</summary>
    public Nb201TableFactAttribute()
    {
        if (!File.Exists(SpaceChecks.Nb201TablePath()))
            Skip = $"NAS-Bench-201 table not found at {SpaceChecks.Nb201TablePath()} (it lives in ../shared beside the repository).";
    }
}
