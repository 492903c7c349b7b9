using static TorchSharp.torch;

namespace NasGen.Data;

/// <summary>
/// One mini-batch: float32 <c>[B, C, H, W]</c> features and int64 <c>[B]</c> labels. Valid until the
/// iterator that produced it moves on; call <see cref="Tensor.clone()"/> to keep a tensor longer.
/// </summary>
public sealed class MiniBatch : IDisposable
{
    internal MiniBatch(Tensor features, Tensor labels)
    {
        Features = features;
        Labels = labels;
    }

    /// <summary>The inputs, <c>[B, C, H, W]</c>.</summary>
    public Tensor Features { get; }

    /// <summary>The class indices, <c>[B]</c>.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of examples in this batch (the last batch may be short).</summary>
    public long Count => Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
