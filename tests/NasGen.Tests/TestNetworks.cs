using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests;

/// <summary>An architecture with one choice, for evaluator tests.</summary>
public readonly record struct WidthArchitecture(int Width);

/// <summary>Small networks for 1x8x8 digits, cheap enough for CPU tests.</summary>
public static class TestNetworks
{
    /// <summary>conv3x3(width) - ReLU - maxpool2 - flatten - linear(width*16 -> 10).</summary>
    public static Module<Tensor, Tensor> SmallConvNet(int width) => Sequential(
        ("conv", Conv2d(1, width, 3, padding: 1)),
        ("relu", ReLU()),
        ("pool", MaxPool2d(2)),
        ("flatten", Flatten()),
        ("fc", Linear(width * 4 * 4, 10)));

    public static Module<Tensor, Tensor> Create(WidthArchitecture architecture) => SmallConvNet(architecture.Width);
}

/// <summary>A linear classifier whose logits are NaN: its training loss is NaN from the first step.</summary>
public sealed class NanLogitsNet : Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public NanLogitsNet() : base(nameof(NanLogitsNet))
    {
        fc = Linear(64, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => fc.call(input.flatten(1)) * double.NaN;

    protected override void Dispose(bool disposing)
    {
        if (disposing) fc.Dispose();
        base.Dispose(disposing);
    }
}
