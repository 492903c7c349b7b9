namespace NasGen.Data;

/// <summary>Which published part of a dataset to load.</summary>
public enum DatasetPart
{
    /// <summary>The training part (60,000 images for MNIST and Fashion-MNIST).</summary>
    Train,

    /// <summary>The test part (10,000 images for MNIST and Fashion-MNIST).</summary>
    Test,
}
