namespace NasGen.Data;

/// <summary>The three parts of a dataset split for search: train weights, select architectures, report once.</summary>
public sealed record DataSplit(ClassificationData Train, ClassificationData Validation, ClassificationData Test) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
