namespace NasGen.Spaces;

/// <summary>Published architectures of the <see cref="MobileNetV3Space"/>.</summary>
public static class MobileNetV3Architectures
{
    /// <summary>
    /// MobileNetV3-Large 1.0 (Howard et al., ICCV 2019, table 1): 5.4 M parameters and 219 M multiply-adds at
    /// 224×224 (table 3).
    /// </summary>
    public static MobileNetV3Space.Architecture Large { get; } = MobileNetV3Space.Space.FromIndex(0) with
    {
        Kernel1 = 3, Expansion1 = 4.0, SqueezeExcite1 = false,
        Kernel2 = 3, Expansion2 = 3.0, SqueezeExcite2 = false,
        Kernel3 = 5, Expansion3 = 3.0, SqueezeExcite3 = true,
        Kernel4 = 5, Expansion4 = 3.0, SqueezeExcite4 = true,
        Kernel5 = 5, Expansion5 = 3.0, SqueezeExcite5 = true,
        Kernel6 = 3, Expansion6 = 6.0, SqueezeExcite6 = false,
        Kernel7 = 3, Expansion7 = 2.5, SqueezeExcite7 = false,
        Kernel8 = 3, Expansion8 = 2.3, SqueezeExcite8 = false,
        Kernel9 = 3, Expansion9 = 2.3, SqueezeExcite9 = false,
        Kernel10 = 3, Expansion10 = 6.0, SqueezeExcite10 = true,
        Kernel11 = 3, Expansion11 = 6.0, SqueezeExcite11 = true,
        Kernel12 = 5, Expansion12 = 6.0, SqueezeExcite12 = true,
        Kernel13 = 5, Expansion13 = 6.0, SqueezeExcite13 = true,
        Kernel14 = 5, Expansion14 = 6.0, SqueezeExcite14 = true,
    };
}
