using static TorchSharp.torch;

namespace NasGen.Data;

/// <summary>
/// A labelled image set held in memory: <see cref="Features"/> is float32 <c>[N, C, H, W]</c>,
/// <see cref="Labels"/> is int64 <c>[N]</c> with values in <c>0..Classes-1</c>.
/// </summary>
public sealed record ClassificationData(Tensor Features, Tensor Labels, int Classes) : IDisposable
{
    /// <summary>Number of examples.</summary>
    public long Count => Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
