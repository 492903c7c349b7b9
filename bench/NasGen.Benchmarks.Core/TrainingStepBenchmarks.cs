using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// One SGD training step (forward, cross-entropy, backward, step) of the generated fixed network against the
/// same network written by hand, on a CPU batch of 32x1x28x28. Both start from the same weights.
/// </summary>
public class TrainingStepBenchmarks
{
    private const int Batch = 32;
    private BenchConvNet _generated = null!;
    private HandWrittenConvNet _handWritten = null!;
    private optim.Optimizer _generatedOptimizer = null!;
    private optim.Optimizer _handWrittenOptimizer = null!;
    private Tensor _input = null!;
    private Tensor _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One intra-op thread: steadier timings on a shared machine; the setting is per OS thread.
        torch.set_num_threads(1);
        torch.manual_seed(42);
        _generated = new BenchConvNet(BenchConvNet.BenchmarkArchitecture);
        _handWritten = new HandWrittenConvNet();

        var generatedState = _generated.state_dict();
        var handState = _handWritten.state_dict();
        string Describe(System.Collections.Generic.IDictionary<string, Tensor> state) => string.Join(", ",
            state.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}[{string.Join('x', p.Value.shape)}]"));
        string generatedKeys = Describe(generatedState), handKeys = Describe(handState);
        if (generatedKeys != handKeys)
            throw new InvalidOperationException($"state_dict differs.\n generated: {generatedKeys}\n hand-written: {handKeys}");

        _handWritten.load_state_dict(generatedState);
        _input = torch.randn(Batch, 1, 28, 28);
        _target = torch.randint(0, 10, Batch, dtype: ScalarType.Int64);
        using (torch.no_grad())
        {
            using var a = _generated.call(_input);
            using var b = _handWritten.call(_input);
            if (!a.allclose(b, rtol: 0, atol: 0)) throw new InvalidOperationException("The two networks disagree on the same weights.");
        }
        _generatedOptimizer = optim.SGD(_generated.parameters(), 0.01);
        _handWrittenOptimizer = optim.SGD(_handWritten.parameters(), 0.01);
    }

    [Benchmark(Baseline = true)]
    public float HandWritten()
    {
        torch.set_num_threads(1);
        return Step(_handWritten, _handWrittenOptimizer);
    }

    [Benchmark]
    public float Generated()
    {
        torch.set_num_threads(1);
        return Step(_generated, _generatedOptimizer);
    }

    private float Step(Module<Tensor, Tensor> net, optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = functional.cross_entropy(net.call(_input), _target);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
