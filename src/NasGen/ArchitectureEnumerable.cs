namespace NasGen;

/// <summary>
/// The allowed architectures of a space in index order. A struct with a struct enumerator: a
/// <c>foreach</c> allocates one small code buffer per enumeration and nothing per architecture.
/// </summary>
public readonly struct ArchitectureEnumerable<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly SearchSpace<TArchitecture> _space;

    internal ArchitectureEnumerable(SearchSpace<TArchitecture> space) => _space = space;

    /// <summary>Starts an enumeration.</summary>
    public ArchitectureEnumerator<TArchitecture> GetEnumerator() => new(_space);
}

/// <summary>An odometer over the dimensions' candidate indices, last dimension fastest.</summary>
public struct ArchitectureEnumerator<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly SearchSpace<TArchitecture> _space;
    private readonly int[] _radix;
    private readonly int[] _codes;
    private readonly long[]? _selections; // per wide input choice (code 0), its selection's position; null without one
    private readonly double[]? _numbers; // where those selections travel
    private bool _started;
    private bool _finished;
    private TArchitecture _current;

    internal ArchitectureEnumerator(SearchSpace<TArchitecture> space)
    {
        _space = space;
        _radix = space.Radix;
        _codes = new int[_radix.Length];
        _selections = space.HasWideDimensions ? new long[_radix.Length] : null;
        _numbers = space.HasWideDimensions ? space.FirstNumbers() : null;
        _started = false;
        _finished = false;
        _current = default;
    }

    /// <summary>The current architecture.</summary>
    public readonly TArchitecture Current => _current;

    /// <summary>Advances to the next allowed architecture.</summary>
    public bool MoveNext()
    {
        while (!_finished)
        {
            if (_started)
            {
                int i = _codes.Length - 1;
                while (i >= 0 && !Advance(i)) i--;
                if (i < 0)
                {
                    _finished = true;
                    return false;
                }
            }
            _started = true;
            _current = _numbers is null ? _space.Decode(_codes) : _space.Decode(_codes, _numbers);
            if (!_space.HasConstraints || _space.SatisfiesConstraints(in _current))
                return true;
        }
        return false;
    }

    // Moves dimension i to its next candidate; false (and back to the first) when it wraps around.
    private readonly bool Advance(int i)
    {
        if (_selections is not null && _space.WideSelections(i) is { } wide)
        {
            _selections[i] = _selections[i] + 1 < wide.LongCount ? _selections[i] + 1 : 0;
            _numbers![i] = InputSelections.ToNumber(wide.ElementAt(_selections[i]));
            return _selections[i] != 0;
        }
        if (++_codes[i] < _radix[i]) return true;
        _codes[i] = 0;
        return false;
    }
}
