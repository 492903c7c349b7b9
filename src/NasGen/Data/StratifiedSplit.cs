namespace NasGen.Data;

/// <summary>The seeded, per-stratum split behind every train / validation / test split of NasGen's data types.</summary>
internal static class StratifiedSplit
{
    /// <summary>
    /// Shuffles the indices of each stratum (class) and cuts them by the fractions, then shuffles each part, all
    /// from one <see cref="Random"/> seeded by <paramref name="seed"/>. One stratum for every example gives a plain
    /// random split (regression targets).
    /// </summary>
    public static (long[] Train, long[] Validation, long[] Test) Indices(long[] strata, double trainFraction, double validationFraction, int seed)
    {
        var random = new Random(seed);
        var train = new List<long>();
        var validation = new List<long>();
        var test = new List<long>();
        foreach (var stratum in Enumerable.Range(0, strata.Length).GroupBy(i => strata[i]).OrderBy(g => g.Key))
        {
            long[] indices = stratum.Select(i => (long)i).ToArray();
            ClassificationDataExtensions.Shuffle(indices, random);
            int trainCount = (int)Math.Round(indices.Length * trainFraction);
            int validationCount = Math.Min(indices.Length - trainCount, (int)Math.Round(indices.Length * validationFraction));
            train.AddRange(indices.Take(trainCount));
            validation.AddRange(indices.Skip(trainCount).Take(validationCount));
            test.AddRange(indices.Skip(trainCount + validationCount));
        }

        return (Shuffled(train, random), Shuffled(validation, random), Shuffled(test, random));
    }

    /// <summary>Throws unless the fractions describe a split (the same rules for every data type).</summary>
    public static void CheckFractions(double trainFraction, double validationFraction)
    {
        if (!(trainFraction > 0 && trainFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "The train fraction must be in (0, 1].");
        if (!(validationFraction >= 0 && trainFraction + validationFraction <= 1 + 1e-9))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1 - trainFraction].");
    }

    private static long[] Shuffled(List<long> indices, Random random)
    {
        long[] order = indices.ToArray();
        ClassificationDataExtensions.Shuffle(order, random);
        return order;
    }
}
