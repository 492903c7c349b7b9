namespace NasGen.Strategies;

/// <summary>
/// The squared-exponential kernel of <see cref="CategoricalGaussianProcess"/> in the one-hot encoding with a
/// relevance per one-hot column: u_dc = w_d · v_c, a weight per dimension (<see cref="Relevance"/>) times a weight per
/// candidate (<see cref="CandidateWeight"/>) shared by the dimensions of one group. Two architectures that differ in
/// dimension d, one with candidate a and the other with b, are correlated by exp(−(u_da + u_db) / 2) there; the
/// correlation is the product over the dimensions, read from one table per dimension.
/// </summary>
internal sealed class CategoricalKernel
{
    private readonly int[] _groupOffset;      // first candidate weight of each group in CandidateWeight
    private readonly int[] _tableOffset;      // first entry of each dimension's candidates × candidates table
    private readonly double[] _correlation;   // per dimension: exp(−(u_a + u_b) / 2) for a ≠ b, 1 on the diagonal

    /// <summary>
    /// A kernel over dimensions of <paramref name="candidates"/>[d] candidates (already checked); dimensions with the
    /// same value in <paramref name="sharedCandidates"/> share their candidate weights, every dimension has its own
    /// without it. Every weight starts at 1.
    /// </summary>
    public CategoricalKernel(int[] candidates, IReadOnlyList<int>? sharedCandidates)
    {
        Dimensions = candidates.Length;
        Candidates = candidates;
        var groupOf = new Dictionary<int, int>();
        var groupSizes = new List<int>();
        Group = new int[Dimensions];
        for (int d = 0; d < Dimensions; d++)
        {
            int key = sharedCandidates?[d] ?? d;
            if (!groupOf.TryGetValue(key, out int g))
            {
                groupOf[key] = g = groupSizes.Count;
                groupSizes.Add(Candidates[d]);
            }
            else if (groupSizes[g] != Candidates[d])
            {
                throw new ArgumentException($"Dimension {d} shares candidate weights with a dimension of {groupSizes[g]} candidates but has {Candidates[d]}.", nameof(sharedCandidates));
            }
            Group[d] = g;
        }
        _groupOffset = new int[groupSizes.Count + 1];
        for (int g = 0; g < groupSizes.Count; g++) _groupOffset[g + 1] = _groupOffset[g] + groupSizes[g];
        _tableOffset = new int[Dimensions + 1];
        for (int d = 0; d < Dimensions; d++) _tableOffset[d + 1] = _tableOffset[d] + Candidates[d] * Candidates[d];
        Relevance = Enumerable.Repeat(1.0, Dimensions).ToArray();
        CandidateWeight = Enumerable.Repeat(1.0, _groupOffset[^1]).ToArray();
        _correlation = new double[_tableOffset[^1]];
        UpdateCorrelations();
    }

    /// <summary>Number of dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>Candidates per dimension.</summary>
    public int[] Candidates { get; }

    /// <summary>The candidate-weight group of each dimension.</summary>
    public int[] Group { get; }

    /// <summary>w_d per dimension; the fit writes it, then calls <see cref="UpdateCorrelations"/>.</summary>
    public double[] Relevance { get; }

    /// <summary>v_c per group and candidate, geometric mean 1 in each group; all 1 unless fitted.</summary>
    public double[] CandidateWeight { get; }

    /// <summary>Number of candidate-weight groups.</summary>
    public int GroupCount => _groupOffset.Length - 1;

    /// <summary>Where the candidate weights of group <paramref name="group"/> start in <see cref="CandidateWeight"/>.</summary>
    public int GroupOffset(int group) => _groupOffset[group];

    /// <summary>Number of one-hot columns (every candidate of every dimension).</summary>
    public int Columns => _tableOffset[Dimensions];

    /// <summary>The first one-hot column (and table entry) of dimension <paramref name="dimension"/>.</summary>
    public int TableOffset(int dimension) => _tableOffset[dimension];

    /// <summary>exp(−u) when every column has the same relevance u, else NaN.</summary>
    public double UniformCorrelation { get; private set; } = double.NaN;

    /// <summary>The relevance u_dc of the one-hot column of candidate <paramref name="c"/> in dimension <paramref name="d"/>.</summary>
    public double ColumnRelevance(int d, int c) => Relevance[d] * CandidateWeight[_groupOffset[Group[d]] + c];

    /// <summary>Recomputes the per-dimension correlation tables from the weights.</summary>
    public void UpdateCorrelations()
    {
        double first = ColumnRelevance(0, 0);
        bool uniform = true;
        for (int d = 0; d < Dimensions && uniform; d++)
            for (int c = 0; c < Candidates[d]; c++)
                if (ColumnRelevance(d, c) != first) { uniform = false; break; }
        UniformCorrelation = uniform ? Math.Exp(-first) : double.NaN;
        for (int d = 0; d < Dimensions; d++)
        {
            int count = Candidates[d];
            var table = _correlation.AsSpan(_tableOffset[d], count * count);
            for (int a = 0; a < count; a++)
                for (int b = 0; b < count; b++)
                    table[a * count + b] = a == b ? 1 : Math.Exp(-0.5 * (ColumnRelevance(d, a) + ColumnRelevance(d, b)));
        }
    }

    /// <summary>
    /// The correlation of an architecture, given by where its candidates' rows start in the tables, and one given by
    /// its codes: the product of one table entry per dimension.
    /// </summary>
    public double Correlation(ReadOnlySpan<int> tableRows, ReadOnlySpan<int> codes)
    {
        double correlation = 1;
        for (int d = 0; d < codes.Length; d++) correlation *= _correlation[tableRows[d] + codes[d]];
        return correlation;
    }

    /// <summary>Where the table row of each candidate in <paramref name="codes"/> starts.</summary>
    public void TableRows(ReadOnlySpan<int> codes, Span<int> rows)
    {
        for (int d = 0; d < Dimensions; d++) rows[d] = _tableOffset[d] + codes[d] * Candidates[d];
    }

    /// <summary>Throws when a code is outside its dimension's candidates.</summary>
    public void CheckCodes(ReadOnlySpan<int> codes, string parameterName)
    {
        for (int d = 0; d < codes.Length; d++)
            if ((uint)codes[d] >= (uint)Candidates[d])
                throw new ArgumentException($"Code {codes[d]} of dimension {d} is outside its {Candidates[d]} candidates.", parameterName);
    }
}
