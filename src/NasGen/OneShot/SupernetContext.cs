using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.OneShot;

/// <summary>
/// The state a weight-sharing supernet's mixed modules read: the <see cref="Mode"/>, the GDAS
/// <see cref="Temperature"/>, the current single <see cref="Path"/>, a seeded <see cref="Random"/>, and one
/// architecture parameter per registered <see cref="MixedChoice"/>.
/// </summary>
/// <remarks>
/// The architecture parameters live here, not in any module: they never appear in the supernet's
/// <c>parameters()</c> or <c>state_dict()</c>, so a weight optimiser built from <c>parameters()</c> never updates
/// them and <see cref="ArchitectureParameters"/> is what an architecture optimiser takes. Same seed, same
/// registrations → same alphas, same sampled paths, same Gumbel noise.
/// </remarks>
public sealed class SupernetContext : IDisposable
{
    private readonly List<MixedChoice> _choices = [];
    private readonly Dictionary<string, MixedChoice> _byLabel = new(StringComparer.Ordinal);
    private readonly List<int> _path = [];
    private readonly Dictionary<string, string> _pinnedRanges = new(StringComparer.Ordinal); // label → "label = value, range [a, b]"

    private readonly ScalarType _dtype;
    private readonly Device _device;
    private SupernetMode _mode;

    /// <summary>Creates an empty context.</summary>
    /// <param name="seed">Seeds <see cref="Random"/>: alpha initialisation, path sampling and Gumbel noise.</param>
    /// <param name="dtype">Element type of the architecture parameters (match the supernet's weights).</param>
    /// <param name="device">Device of the architecture parameters (default CPU; match the supernet's).</param>
    public SupernetContext(int seed, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        Seed = seed;
        Random = new Random(seed);
        _dtype = dtype;
        _device = device ?? CPU;
    }

    /// <summary>The seed given at construction.</summary>
    public int Seed { get; }

    /// <summary>The context's random generator (seeded).</summary>
    public Random Random { get; }

    /// <summary>How mixed modules combine candidates. Switching mode clears the Gumbel sample.</summary>
    public SupernetMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            Resample();
        }
    }

    /// <summary>GDAS temperature τ of the Gumbel-softmax (annealed by the GDAS trainer from 10 to 0.1).</summary>
    public double Temperature { get; set; } = 10;

    /// <summary>The registered choices, in registration order (the order of a path).</summary>
    public IReadOnlyList<MixedChoice> Choices => _choices;

    /// <summary>The architecture parameters (one per choice, in order), for the architecture optimiser.</summary>
    public IReadOnlyList<Parameter> ArchitectureParameters => _choices.Select(c => c.Alpha).ToArray();

    /// <summary>The current path: one code per choice (a candidate index, or a position in <see cref="ChosenInputs.All"/> for inputs).</summary>
    public IReadOnlyList<int> Path => _path;

    /// <summary>
    /// Registers an operation choice and creates its alpha, initialised as in DARTS: <c>1e-3 · N(0, 1)</c> drawn from
    /// <see cref="Random"/>. Registering a label again with the same candidates returns the existing choice, so
    /// modules built with one label share their alphas and path.
    /// </summary>
    /// <param name="label">The stable label (unique per choice).</param>
    /// <param name="candidateNames">The candidate names, in order; <c>None</c>/<c>Zero</c> marks the zero operation.</param>
    public MixedChoice Register(string label, IReadOnlyList<string> candidateNames)
    {
        ArgumentNullException.ThrowIfNull(candidateNames);
        if (candidateNames.Count < 1) throw new ArgumentException($"Choice '{label}' needs at least one candidate.", nameof(candidateNames));
        if (candidateNames.Distinct(StringComparer.Ordinal).Count() != candidateNames.Count)
            throw new ArgumentException($"Choice '{label}' has duplicate candidate names: {string.Join(", ", candidateNames)}.", nameof(candidateNames));
        return Add(label, MixedChoiceKind.Operation, candidateNames.ToArray(), 1);
    }

    /// <summary>
    /// Registers an input choice of <paramref name="chosen"/> of <paramref name="candidates"/> inputs, with one alpha per
    /// input; same sharing rule as <see cref="Register"/>.
    /// </summary>
    public MixedChoice RegisterInputs(string label, int candidates, int chosen)
    {
        if (candidates is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(candidates), candidates, "An input choice offers between 1 and 64 inputs.");
        if (chosen < 1 || chosen > candidates) throw new ArgumentOutOfRangeException(nameof(chosen), chosen, $"An input choice chooses between 1 and {candidates} inputs.");
        string[] names = Enumerable.Range(0, candidates).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return Add(label, MixedChoiceKind.Input, names, chosen);
    }

    /// <summary>The choice registered under <paramref name="label"/>; a numeric range pinned by <c>CreateSupernet</c> is refused with a message that says so.</summary>
    public MixedChoice this[string label] => _byLabel.TryGetValue(label, out var c) ? c
        : _pinnedRanges.ContainsKey(label) ? throw PinnedRangeError(label)
        : throw new KeyNotFoundException($"No choice '{label}' is registered; registered: {string.Join(", ", _byLabel.Keys)}.");

    /// <summary>The numeric ranges <c>CreateSupernet</c> pinned, as <c>label = value in range</c>, in dimension order.</summary>
    internal IReadOnlyCollection<string> PinnedRanges => _pinnedRanges.Values;

    /// <summary>Records that the supernet being built holds range <paramref name="label"/> at one value (<paramref name="description"/>).</summary>
    internal void PinRange(string label, string description) => _pinnedRanges[label] = description;

    private NotSupportedException PinnedRangeError(string label) => new(
        $"'{label}' is a numeric range, pinned when the supernet was built ({_pinnedRanges[label]}): one-shot methods mix layer, " +
        "input and cell choices, and a range has no candidates to mix. Search the ranges with a multi-trial strategy (tpe, bo, random, " +
        $"evolution …) around the one-shot result, or build one supernet per value to compare. Pinned ranges: {string.Join("; ", _pinnedRanges.Values)}.");

    /// <summary>Draws a path uniformly (each choice's code independently uniform, as SPOS does), makes it current and returns it.</summary>
    public int[] SamplePath()
    {
        for (int i = 0; i < _choices.Count; i++) _path[i] = Random.Next(_choices[i].CodeCount);
        return _path.ToArray();
    }

    /// <summary>Makes <paramref name="path"/> (one code per choice) the current path.</summary>
    public void SetPath(ReadOnlySpan<int> path)
    {
        ValidatePath(path);
        for (int i = 0; i < path.Length; i++) _path[i] = path[i];
    }

    /// <summary>Sets the current path's code of one choice.</summary>
    public void SetPath(string label, int code)
    {
        MixedChoice choice = this[label];
        if ((uint)code >= (uint)choice.CodeCount) throw new ArgumentOutOfRangeException(nameof(code), code, $"Choice '{label}' has codes 0..{choice.CodeCount - 1}.");
        _path[choice.Index] = code;
    }

    /// <summary>Draws fresh Gumbel noise for every choice at its next use (call before each GDAS forward pass; the trainers do).</summary>
    public void Resample()
    {
        foreach (var choice in _choices) choice.ClearGumbel();
    }

    /// <summary>The discrete architecture by the DARTS rule (<see cref="MixedChoice.Derive"/>), as a path.</summary>
    public int[] Derive() => _choices.Select(c => c.Derive()).ToArray();

    /// <summary>A path as <c>label=token</c> pairs separated by <c>;</c>, e.g. <c>edge1-0=Conv3x3;node0.inputs=[0,1]</c>.</summary>
    public string Describe(ReadOnlySpan<int> path)
    {
        ValidatePath(path);
        var parts = new string[path.Length];
        for (int i = 0; i < path.Length; i++) parts[i] = _choices[i].Label + "=" + _choices[i].Token(path[i]);
        return string.Join(";", parts);
    }

    /// <summary>
    /// The choices as search-space dimensions over path codes (operations: layer dimensions named by candidate;
    /// inputs: <see cref="Dimension.Inputs"/>), so the multi-trial strategies can search paths (SPOS evolution, ENAS).
    /// </summary>
    public IReadOnlyList<Dimension> PathDimensions() => _choices.Select(c => c.Kind == MixedChoiceKind.Operation
        ? Dimension.OfNamed(c.Label, ChoiceKind.Layer, c.CandidateNames.ToArray(), c.CandidateNames.ToArray())
        : Dimension.Inputs(c.Label, new InputSelections(c.CandidateNames.Count, c.Chosen))).ToArray();

    /// <summary>Softmax of every choice's alpha, in choice order.</summary>
    public double[][] Probabilities() => _choices.Select(c => c.Probabilities()).ToArray();

    /// <summary>Disposes the architecture parameters.</summary>
    public void Dispose()
    {
        foreach (var choice in _choices) choice.Alpha.Dispose();
    }

    internal int PathCode(int index) => _path[index];

    internal void ValidatePath(ReadOnlySpan<int> path)
    {
        if (path.Length != _choices.Count)
            throw new ArgumentException($"A path has one code per choice ({_choices.Count}); {path.Length} were given.", nameof(path));
        for (int i = 0; i < path.Length; i++)
            if ((uint)path[i] >= (uint)_choices[i].CodeCount)
                throw new ArgumentException($"Code {path[i]} of choice '{_choices[i].Label}' is outside 0..{_choices[i].CodeCount - 1}.", nameof(path));
    }

    private MixedChoice Add(string label, MixedChoiceKind kind, string[] names, int chosen)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (_byLabel.TryGetValue(label, out var existing))
        {
            if (existing.Kind != kind || existing.Chosen != chosen || !existing.CandidateNames.SequenceEqual(names))
                throw new ArgumentException($"Choice '{label}' is already registered with other candidates ({string.Join(", ", existing.CandidateNames)}); shared choices need identical candidates.", nameof(label));
            return existing;
        }

        var init = new double[names.Length];
        for (int i = 0; i < init.Length; i++) init[i] = 1e-3 * NumericMoves.Gaussian(Random);
        Parameter alpha;
        using (no_grad())
        {
            alpha = new Parameter(tensor(init, dtype: _dtype, device: _device), requires_grad: true);
        }
        var choice = new MixedChoice(this, _choices.Count, label, kind, names, chosen, alpha);
        _choices.Add(choice);
        _byLabel.Add(label, choice);
        _path.Add(0);
        return choice;
    }
}
