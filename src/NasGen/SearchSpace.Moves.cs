using NasGen.Json;

namespace NasGen;

// Sampling, mutation, crossover and neighbours: the moves strategies make in a space, categorical and numeric.
public abstract partial class SearchSpace<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <inheritdoc />
    public TArchitecture Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        for (int attempt = 0; attempt < MaxRejections; attempt++)
        {
            for (int i = 0; i < codes.Length; i++)
            {
                var range = Dimensions[i].Range;
                if (_continuous[i]) numbers[i] = ToValue(i, random.NextDouble());
                else if (_wide[i]) numbers[i] = InputSelections.ToNumber(Dimensions[i].Selections!.ElementAt(random.NextInt64(Dimensions[i].Selections!.LongCount)));
                else if (range is { Log: true }) codes[i] = SampleLogIndex(range, random);
                else codes[i] = random.Next(Radix[i]);
            }
            var candidate = Decode(codes, numbers);
            if (!HasConstraints || SatisfiesConstraints(candidate)) return candidate;
        }
        throw TooConstrained("sample");
    }

    /// <inheritdoc />
    public TArchitecture Mutate(in TArchitecture architecture, Random random, int choices = 1)
    {
        ArgumentNullException.ThrowIfNull(random);
        // A copy: the partial shuffle below reorders it, and Mutate may run on several threads.
        Span<int> mutable = stackalloc int[_mutableDimensions.Length];
        _mutableDimensions.CopyTo(mutable);
        if (choices < 1 || choices > mutable.Length)
            throw new ArgumentOutOfRangeException(nameof(choices), choices, $"{Name} has {mutable.Length} dimensions with more than one candidate.");

        Span<int> original = stackalloc int[Radix.Length];
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        EncodeWithNumbers(architecture, original, numbers);
        Span<double> originalNumbers = stackalloc double[Radix.Length];
        numbers.CopyTo(originalNumbers);
        for (int attempt = 0; attempt < MaxRejections; attempt++)
        {
            original.CopyTo(codes);
            originalNumbers.CopyTo(numbers);
            // Partial Fisher-Yates: the first `choices` entries become a uniform random subset.
            for (int i = 0; i < choices; i++)
            {
                int j = i + random.Next(mutable.Length - i);
                (mutable[i], mutable[j]) = (mutable[j], mutable[i]);
                int d = mutable[i];
                if (_wide[d])
                {
                    var selections = Dimensions[d].Selections!;
                    numbers[d] = InputSelections.ToNumber(selections.RandomSwap(selections.FromNumber(numbers[d]), random));
                    continue;
                }
                if (Dimensions[d].Range is { } range)
                {
                    if (_continuous[d]) numbers[d] = Perturb(d, numbers[d], random);
                    else codes[d] = PerturbIndex(range, original[d], random);
                    continue;
                }
                int other = random.Next(Radix[d] - 1);
                codes[d] = other >= original[d] ? other + 1 : other;
            }
            var candidate = Decode(codes, numbers);
            if (!HasConstraints || SatisfiesConstraints(candidate)) return candidate;
        }
        throw TooConstrained("mutate");
    }

    /// <inheritdoc />
    public TArchitecture Crossover(in TArchitecture first, in TArchitecture second, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<int> a = stackalloc int[Radix.Length];
        Span<int> b = stackalloc int[Radix.Length];
        Span<int> child = stackalloc int[Radix.Length];
        Span<double> numbersA = stackalloc double[Radix.Length];
        Span<double> numbersB = stackalloc double[Radix.Length];
        Span<double> childNumbers = stackalloc double[Radix.Length];
        Encode(first, a);
        Encode(second, b);
        EncodeNumbers(first, numbersA);
        EncodeNumbers(second, numbersB);
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            for (int i = 0; i < child.Length; i++)
            {
                bool fromFirst = random.Next(2) == 0;
                child[i] = fromFirst ? a[i] : b[i];
                childNumbers[i] = fromFirst ? numbersA[i] : numbersB[i];
            }
            var candidate = Decode(child, childNumbers);
            if (!HasConstraints || SatisfiesConstraints(candidate)) return candidate;
        }
        return first; // every mix broke a constraint: the first parent is a valid child of both
    }

    /// <summary>
    /// Above this many selections, an input choice's neighbours are the selections that swap one input
    /// (k·(n−k) of them) instead of every other selection.
    /// </summary>
    public const int MaxListedNeighbours = 4096;

    /// <inheritdoc />
    /// <remarks>
    /// A neighbour differs in one dimension, by any other candidate; in an input choice with more than
    /// <see cref="MaxListedNeighbours"/> selections, by a selection that swaps one chosen input for another.
    /// </remarks>
    public IEnumerable<TArchitecture> Neighbours(TArchitecture architecture)
    {
        int[] codes = new int[Radix.Length];
        Encode(architecture, codes);
        double[] numbers = new double[codes.Length];
        EncodeNumbers(architecture, numbers);
        for (int d = 0; d < codes.Length; d++)
        {
            var (originalCode, originalNumber) = (codes[d], numbers[d]);
            var moves = _continuous[d]
                ? NeighbourValues(d, originalNumber).Select(value => (Code: originalCode, Number: value))
                : _wide[d]
                ? Dimensions[d].Selections!.Swaps(Dimensions[d].SelectionOf(originalNumber)).Select(swap => (Code: originalCode, Number: InputSelections.ToNumber(swap)))
                : NeighbourCodes(d, originalCode).Select(code => (Code: code, Number: originalNumber));
            foreach (var move in moves)
            {
                (codes[d], numbers[d]) = move;
                var neighbour = Decode(codes, numbers);
                (codes[d], numbers[d]) = (originalCode, originalNumber);
                if (!HasConstraints || SatisfiesConstraints(neighbour)) yield return neighbour;
            }
        }
    }

    private IEnumerable<int> NeighbourCodes(int dimension, int code)
    {
        if (Dimensions[dimension].Range is not null) return NumericMoves.SteppedNeighbours(code, Radix[dimension]);
        if (Dimensions[dimension].Selections is not { Count: > MaxListedNeighbours } selections)
            return Enumerable.Range(0, Radix[dimension]).Where(c => c != code);
        var swaps = selections.Swaps(selections[code]).Select(selections.IndexOf).ToList();
        swaps.Sort(); // in code order, like the other dimensions' neighbours
        return swaps;
    }

    // ---- Numeric moves ------------------------------------------------------------------------------------------

    /// <summary>Standard deviation of a mutation's perturbation, as a fraction of the (log-)range.</summary>
    public const double MutationScale = 0.1;

    // The value at normalised position u of continuous dimension d, held exactly as the property's type holds it.
    private double ToValue(int d, double u)
    {
        double value = Dimensions[d].Range!.Denormalise(u);
        // A float range's bounds are floats, so the nearest float stays within them.
        return Dimensions[d].JsonForm == JsonValueForm.Float ? (float)value : value;
    }

    private double Perturb(int d, double value, Random random)
    {
        var range = Dimensions[d].Range!;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            double moved = ToValue(d, NumericRange.Reflect(range.Normalise(value), MutationScale * NumericMoves.Gaussian(random)));
            if (!moved.Equals(value)) return moved;
        }
        return ToValue(d, random.NextDouble());
    }

    private static int SampleLogIndex(NumericRange range, Random random) => range.NearestIndex(random.NextDouble());

    // A stepped range's mutation: a perturbation of its normalised position, at least one step away.
    private static int PerturbIndex(NumericRange range, int code, Random random)
    {
        double delta = MutationScale * NumericMoves.Gaussian(random);
        int moved = range.NearestIndex(NumericRange.Reflect(range.Normalise(range.ValueAt(code)), delta));
        if (moved != code) return moved;
        int step = delta >= 0 ? 1 : -1;
        return code + step is var next && next >= 0 && next < range.ValueCount ? next : code - step;
    }

    private IEnumerable<double> NeighbourValues(int d, double value)
    {
        var range = Dimensions[d].Range!;
        double u = range.Normalise(value);
        var seen = new HashSet<double> { value };
        foreach (double move in NumericMoves.ContinuousNeighbourMoves)
        {
            double moved = ToValue(d, u + move);
            if (seen.Add(moved)) yield return moved;
        }
    }
}
