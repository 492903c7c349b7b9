using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.OneShot;

/// <summary>What a <see cref="MixedChoice"/> chooses.</summary>
public enum MixedChoiceKind
{
    /// <summary>One candidate operation of several (a layer choice or a cell edge); one alpha per candidate.</summary>
    Operation,

    /// <summary><c>k</c> of <c>n</c> incoming tensors (an input choice); one alpha per input.</summary>
    Input,
}

/// <summary>
/// One choice of a supernet, registered in a <see cref="SupernetContext"/>: its label, candidates, architecture
/// parameter <see cref="Alpha"/> and the code the current path gives it. Several mixed modules may share one choice
/// (e.g. the normal cells of a DARTS stack share their alphas), they then also share the sampled path.
/// </summary>
public sealed class MixedChoice
{
    private readonly string[] _names;
    private readonly InputSelections? _inputSets; // input choices only
    private double[]? _gumbelNoise;

    internal MixedChoice(SupernetContext context, int index, string label, MixedChoiceKind kind, string[] names, int chosen, Parameter alpha)
    {
        Context = context;
        Index = index;
        Label = label;
        Kind = kind;
        _names = names;
        Chosen = chosen;
        Alpha = alpha;
        _inputSets = kind == MixedChoiceKind.Input ? new InputSelections(names.Length, chosen) : null;
    }

    /// <summary>The context that owns this choice.</summary>
    public SupernetContext Context { get; }

    /// <summary>Position of this choice in <see cref="SupernetContext.Choices"/> and in a path.</summary>
    public int Index { get; }

    /// <summary>The stable label (the search space's dimension label).</summary>
    public string Label { get; }

    /// <summary>Operation or input choice.</summary>
    public MixedChoiceKind Kind { get; }

    /// <summary>Candidate names (operations), or the input positions <c>"0"</c>, <c>"1"</c> ... (inputs); one alpha each.</summary>
    public IReadOnlyList<string> CandidateNames => _names;

    /// <summary>How many candidates a path selects: 1 for operations, <c>k</c> for inputs.</summary>
    public int Chosen { get; }

    /// <summary>The architecture parameter: one logit per candidate. Not a parameter of any module.</summary>
    public Parameter Alpha { get; }

    /// <summary>
    /// How many codes a path may give this choice: the candidate count for operations, <c>C(n, k)</c> for inputs
    /// (the position in <see cref="ChosenInputs.All"/>, as in <see cref="Dimension.Inputs"/>).
    /// </summary>
    public int CodeCount => _inputSets is null ? _names.Length : PathSelections.Count;

    /// <summary>For input choices, every selection in code order (<see cref="ChosenInputs.All"/>); empty for operations.</summary>
    public IReadOnlyList<ChosenInputs> InputSets => _inputSets is null ? [] : PathSelections;

    // A path gives each choice an int code: a wide input choice (more selections than an int numbers) has none.
    private InputSelections PathSelections => _inputSets is { IsWide: true }
        ? throw new NotSupportedException(
            $"Choice '{Label}' selects {Chosen} of {_names.Length} inputs: {_inputSets.LongCount} selections, more than a path's int code numbers; " +
            "train its supernet in weighted (DARTS) or Gumbel mode, or search the space with a multi-trial strategy (random, evolution, local, Hyperband).")
        : _inputSets!;

    /// <summary>This choice's code in the context's current path.</summary>
    public int PathCode => Context.PathCode(Index);

    /// <summary>The candidate index sampled by the last Gumbel draw (operations), or -1 before any.</summary>
    public int LastSample { get; private set; } = -1;

    /// <summary>The inputs selected by the last Gumbel draw (inputs).</summary>
    public ChosenInputs LastSampledInputs { get; private set; }

    /// <summary>Whether a candidate name denotes the zero operation (<c>None</c> or <c>Zero</c>, any case).</summary>
    public static bool IsNoneName(string name) =>
        string.Equals(name, "None", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Zero", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether candidate <paramref name="candidate"/> is the zero operation (always false for inputs).</summary>
    public bool IsNone(int candidate) => Kind == MixedChoiceKind.Operation && IsNoneName(_names[candidate]);

    /// <summary><c>softmax(alpha)</c> as numbers, for reports and derivation.</summary>
    public double[] Probabilities()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Alpha.detach().to_type(ScalarType.Float64).softmax(0).cpu().data<double>().ToArray();
    }

    /// <summary>The alpha logits as numbers.</summary>
    public double[] Logits()
    {
        using var scope = NewDisposeScope();
        return Alpha.detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <summary>The path code of a selection of inputs (input choices only).</summary>
    public int CodeOf(ChosenInputs inputs)
    {
        int code = _inputSets is null ? -1 : PathSelections.IndexOf(inputs);
        if (code < 0) throw new ArgumentException($"Choice '{Label}' selects {Chosen} of {_names.Length} inputs; {inputs} is not such a selection.", nameof(inputs));
        return code;
    }

    /// <summary>The text of code <paramref name="code"/>: the candidate name or the selected inputs (<c>[0,2]</c>).</summary>
    public string Token(int code) => Kind == MixedChoiceKind.Operation ? _names[code] : PathSelections[code].ToString();

    /// <summary>
    /// The DARTS derivation rule (Liu et al., 2019, §2.4): the strongest candidate that is not <c>None</c>/<c>Zero</c>;
    /// for inputs, the <see cref="Chosen"/> inputs with the largest weights. Returns a path code.
    /// </summary>
    public int Derive()
    {
        double[] logits = Logits();
        if (Kind == MixedChoiceKind.Input)
        {
            int[] top = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(Chosen).ToArray();
            return CodeOf(new ChosenInputs(logits.Length, top));
        }

        int best = -1;
        for (int i = 0; i < logits.Length; i++)
            if (!IsNone(i) && (best < 0 || logits[i] > logits[best])) best = i;
        return best >= 0 ? best : 0; // every candidate is None: nothing else to pick
    }

    /// <summary>
    /// Which inputs the current mode computes: null for all (weighted mode), else the selection of the path or of the
    /// Gumbel sample. Input choices only.
    /// </summary>
    public ChosenInputs? ActiveInputs()
    {
        if (Kind != MixedChoiceKind.Input) throw new InvalidOperationException($"Choice '{Label}' is not an input choice.");
        return Context.Mode switch
        {
            SupernetMode.Weighted => null,
            SupernetMode.Gumbel => SampleGumbel().Inputs,
            _ => PathSelections[PathCode],
        };
    }

    /// <summary>The candidate the current single-path or Gumbel mode computes (operations); -1 in weighted mode.</summary>
    public int ActiveCandidate()
    {
        if (Kind != MixedChoiceKind.Operation) throw new InvalidOperationException($"Choice '{Label}' is not an operation choice.");
        return Context.Mode switch
        {
            SupernetMode.Weighted => -1,
            SupernetMode.Gumbel => SampleGumbel().Candidate,
            _ => PathCode,
        };
    }

    /// <summary>
    /// The weights of the candidates in the current mode, a differentiable function of <see cref="Alpha"/>:
    /// <c>softmax(alpha)</c> when weighted; when Gumbel, the hard sample with a straight-through gradient,
    /// <c>h = onehot + soft − stop_gradient(soft)</c> with <c>soft = softmax((log_softmax(alpha) + g) / τ)</c>
    /// (Jang et al., 2017; Dong &amp; Yang, 2019, eq. 5–6). Its forward values are exactly 0 and 1 (the two
    /// <c>soft</c> terms cancel exactly), its gradient is that of <c>soft</c>. Null in single-path modes.
    /// </summary>
    public Tensor? ForwardWeights()
    {
        switch (Context.Mode)
        {
            case SupernetMode.Weighted:
                return Alpha.softmax(0);
            case SupernetMode.Gumbel:
                var (noise, hard) = (GumbelNoise(), SampleGumbel().Hard);
                using (var scope = NewDisposeScope())
                {
                    Tensor g = tensor(noise, dtype: Alpha.dtype, device: Alpha.device);
                    Tensor soft = ((Alpha.log_softmax(0) + g) / Context.Temperature).softmax(0);
                    Tensor mask = tensor(hard, dtype: Alpha.dtype, device: Alpha.device);
                    return (mask + (soft - soft.detach())).MoveToOuterDisposeScope();
                }
            default:
                return null;
        }
    }

    internal void ClearGumbel() => _gumbelNoise = null;

    private double[] GumbelNoise()
    {
        if (_gumbelNoise is null)
        {
            // Standard Gumbel noise g = -log(-log u) from the context's seeded generator: reproducible, no torch RNG.
            var noise = new double[_names.Length];
            for (int i = 0; i < noise.Length; i++)
            {
                double u = Context.Random.NextDouble();
                u = Math.Clamp(u, 1e-12, 1 - 1e-12);
                noise[i] = -Math.Log(-Math.Log(u));
            }
            _gumbelNoise = noise;
        }
        return _gumbelNoise;
    }

    private (int Candidate, ChosenInputs Inputs, double[] Hard) SampleGumbel()
    {
        double[] noise = GumbelNoise();
        double[] logits = Logits();
        // argmax of log_softmax(alpha) + g equals argmax of alpha + g (the shift is common); top-k for inputs.
        int[] order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i] + noise[i]).ThenBy(i => i).ToArray();
        var hard = new double[logits.Length];
        for (int t = 0; t < Chosen; t++) hard[order[t]] = 1;
        var inputs = Kind == MixedChoiceKind.Input ? new ChosenInputs(logits.Length, order.Take(Chosen).ToArray()) : default;
        LastSample = order[0];
        LastSampledInputs = inputs;
        return (order[0], inputs, hard);
    }
}
