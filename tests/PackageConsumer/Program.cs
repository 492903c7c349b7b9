// The package integration test's consumer (run by eng/test-package.sh): a space compiled by the generator from
// the NasGen package, a short search through the Experiment runner into a SQLite store, and forward passes on
// TorchSharp's CPU build (which loads on older Linux systems only through the package's buildTransitive fix).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Strategies;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: PackageConsumer <store.db>");
    return 2;
}

var space = ConsumerNet.Space;
Console.WriteLine($"space {space.Name}: {space.Cardinality} architectures");
await using var store = SqliteExperimentStore.Open(args[0]);
var result = await new Experiment<ConsumerNet.Architecture>(space, seed => new SamplingStrategy(space, seed), new ForwardPassEvaluator(), store,
    new ExperimentOptions<ConsumerNet.Architecture>
    {
        Name = "package-test",
        Seed = 3,
        MaxTrials = 6,
        Objectives = new[] { new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("params", ObjectiveDirection.Minimize) },
    }).RunAsync();
int completed = result.Trials.Count(t => t.Status == TrialStatus.Completed);
Console.WriteLine($"package-consumer: {result.Trials.Count} trials, {completed} completed, best {result.Best?.Canonical}");
return completed > 0 ? 0 : 1;

/// <summary>A small space: every kind of choice the generator compiles.</summary>
[SearchSpace]
public sealed partial class ConsumerNet : Module<Tensor, Tensor>
{
    [Choice(4, 8, 16)] public partial int Width { get; }
    [LayerChoice(nameof(Relu), nameof(Tanh))] public partial Module<Tensor, Tensor> Activation { get; }
    [Repeat(0, 2, nameof(Extra))] public partial Sequential Body { get; }

    private readonly Module<Tensor, Tensor> input, output;

    /// <summary>Builds the fixed network of <paramref name="architecture"/>.</summary>
    public ConsumerNet(Architecture architecture) : base(nameof(ConsumerNet))
    {
        InitializeChoices(architecture);
        input = Linear(8, Width);
        output = Linear(Width, 2);
        RegisterComponents();
    }

    Module<Tensor, Tensor> Relu() => ReLU();
    Module<Tensor, Tensor> Tanh() => nn.Tanh();
    Module<Tensor, Tensor> Extra(int index) => Sequential(Linear(Width, Width), ReLU());

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => output.call(Body.call(Activation.call(input.call(x))));
}

/// <summary>Samples the space with the experiment seed.</summary>
internal sealed class SamplingStrategy(ISearchSpace<ConsumerNet.Architecture> space, int seed) : ISearchStrategy<ConsumerNet.Architecture>
{
    private readonly Random _random = new(seed);

    public string Name => "sampling";

    public Suggestion<ConsumerNet.Architecture>? Ask() => new(space.Sample(_random));

    public void Tell(Suggestion<ConsumerNet.Architecture> suggestion, TrialOutcome outcome) { }
}

/// <summary>Builds the network, runs one forward pass and scores it: a trivial but real evaluation.</summary>
internal sealed class ForwardPassEvaluator : IEvaluator<ConsumerNet.Architecture>
{
    public Task<EvaluationResult> EvaluateAsync(ConsumerNet.Architecture architecture, EvaluationContext context, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        manual_seed(context.Seed);
        using var net = new ConsumerNet(architecture);
        var output = net.call(randn(4, 8));
        if (!output.shape.SequenceEqual(new long[] { 4, 2 })) throw new InvalidOperationException($"unexpected output shape [{string.Join(", ", output.shape)}]");
        double parameters = net.parameters().Sum(p => p.numel());
        double fitness = 1.0 / (1.0 + output.abs().mean().item<float>());
        return Task.FromResult(new EvaluationResult(fitness, new Dictionary<string, double> { ["params"] = parameters }));
    }
}
