using Block = NasGen.Spaces.MobileNetV3Space.LayersChoice;

namespace NasGen.Spaces;

/// <summary>Published architectures of the <see cref="MobileNetV3Space"/>.</summary>
public static class MobileNetV3Architectures
{
    /// <summary>
    /// MobileNetV3-Large 1.0 (Howard et al., ICCV 2019, table 1): 5.4 M parameters and 219 M multiply-adds at
    /// 224×224 (table 3). Per layer: depthwise kernel, expansion ratio (expanded width / input width) and
    /// squeeze-and-excitation, in table 1's order.
    /// </summary>
    public static MobileNetV3Space.Architecture Large { get; } = new(new LayerChoices<Block>(
        Block.K3E4, Block.K3E3,
        Block.K5E3Se, Block.K5E3Se, Block.K5E3Se,
        Block.K3E6, Block.K3E2_5, Block.K3E2_3, Block.K3E2_3,
        Block.K3E6Se, Block.K3E6Se,
        Block.K5E6Se, Block.K5E6Se, Block.K5E6Se));
}
