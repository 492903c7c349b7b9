using Unit = NasGen.Spaces.SposShuffleNet.BlocksChoice;

namespace NasGen.Spaces;

/// <summary>Published architectures of the <see cref="SposShuffleNet"/> space.</summary>
public static class SposArchitectures
{
    /// <summary>
    /// The block choices of SPOS's searched model, as released with the paper (megvii-model/SinglePathOneShot,
    /// <c>src/Evaluation</c>: <c>architecture = [0, 0, 3, 1, 1, 1, 0, 0, 2, 0, 2, 1, 1, 0, 2, 0, 2, 1, 3, 2]</c>, where
    /// 0–3 are the 3×3, 5×5, 7×7 and Xception units). Built with <see cref="SearchedMiddleScales"/> it is the
    /// block-and-channel search result: 328 M FLOPs, 3.4 M parameters (Guo et al., ECCV 2020, table 5).
    /// </summary>
    public static SposShuffleNet.Architecture Searched { get; } = new(new NasGen.LayerChoices<Unit>(
        new[] { 0, 0, 3, 1, 1, 1, 0, 0, 2, 0, 2, 1, 1, 0, 2, 0, 2, 1, 3, 2 }.Select(code => (Unit)code)));

    /// <summary>
    /// The channel choices released with <see cref="Searched"/>: <c>scale_ids = [6, 5, 3, 5, 2, 6, 3, 4, 2, 5, 7, 5, 4, 6,
    /// 7, 4, 4, 5, 4, 3]</c> into SPOS's scales 0.2, 0.4, …, 2.0 (scale = 0.2 × (id + 1)), each block's middle width as a
    /// multiple of half its output channels. Pass them as <c>middleScales</c>.
    /// </summary>
    public static double[] SearchedMiddleScales =>
        new[] { 6, 5, 3, 5, 2, 6, 3, 4, 2, 5, 7, 5, 4, 6, 7, 4, 4, 5, 4, 3 }.Select(id => (id + 1) * 2 / 10.0).ToArray();
}
