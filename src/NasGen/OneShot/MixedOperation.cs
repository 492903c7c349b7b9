using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.OneShot;

/// <summary>
/// A supernet module whose candidates are children of a module: it tells the weight extraction which children the
/// fixed network on a path keeps, and whether the child's name level disappears there.
/// </summary>
internal interface IPathModule
{
    /// <summary>Whether child <paramref name="childName"/> exists in the fixed network on <paramref name="path"/>; <paramref name="collapse"/> drops its name level.</summary>
    bool KeepChild(string childName, IReadOnlyList<int> path, out bool collapse);
}

/// <summary>
/// A layer choice inside a supernet: every candidate built once and registered under its candidate name (so the
/// supernet's state_dict keys are <c>&lt;field&gt;.&lt;CandidateName&gt;.&lt;inner&gt;</c>), combined according to the
/// context's <see cref="SupernetMode"/>. Its architecture parameter belongs to its <see cref="Choice"/>, not to
/// this module's <c>parameters()</c>.
/// </summary>
public sealed class MixedOperation : Module<Tensor, Tensor>, IPathModule
{
    private readonly Module<Tensor, Tensor>[] _candidates;
    private bool _shapesChecked;

    /// <summary>Creates the mixed operation of <paramref name="choice"/> over <paramref name="candidates"/> (one per candidate name, in order).</summary>
    /// <param name="name">The module name.</param>
    /// <param name="choice">An operation choice registered in a <see cref="SupernetContext"/>.</param>
    /// <param name="candidates">The candidate modules; this module owns (and disposes) them.</param>
    public MixedOperation(string name, MixedChoice choice, IReadOnlyList<Module<Tensor, Tensor>> candidates) : base(name)
    {
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(candidates);
        if (choice.Kind != MixedChoiceKind.Operation) throw new ArgumentException($"Choice '{choice.Label}' is an input choice; use MixedInput.", nameof(choice));
        if (candidates.Count != choice.CandidateNames.Count)
            throw new ArgumentException($"Choice '{choice.Label}' has {choice.CandidateNames.Count} candidates; {candidates.Count} modules were given.", nameof(candidates));
        Choice = choice;
        _candidates = candidates.ToArray();
        for (int i = 0; i < _candidates.Length; i++)
            register_module(choice.CandidateNames[i], _candidates[i] ?? throw new ArgumentException($"Candidate '{choice.CandidateNames[i]}' of '{choice.Label}' is null.", nameof(candidates)));
    }

    /// <summary>The choice (alpha, path code) this module follows.</summary>
    public MixedChoice Choice { get; }

    /// <summary>The candidate modules, in candidate order.</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Candidates => _candidates;

    /// <summary>
    /// Weighted: <c>Σ softmax(alpha)_i · op_i(x)</c> (DARTS eq. 1; <c>None</c> candidates add nothing and are skipped).
    /// Gumbel: <c>h_i · op_i(x)</c> for the sampled <c>i</c> only. Single-path modes: <c>op_path(x)</c>.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        if (!_shapesChecked) CheckShapes(input);
        switch (Choice.Context.Mode)
        {
            case SupernetMode.Weighted:
            {
                using var scope = NewDisposeScope();
                Tensor weights = Choice.ForwardWeights()!;
                bool allNone = Enumerable.Range(0, _candidates.Length).All(Choice.IsNone);
                Tensor? sum = null;
                for (int i = 0; i < _candidates.Length; i++)
                {
                    if (Choice.IsNone(i) && !allNone) continue; // w · 0 adds nothing, to the value or to any gradient
                    Tensor term = weights[i] * _candidates[i].call(input);
                    sum = sum is null ? term : sum.add_(term);
                }
                return sum!.MoveToOuterDisposeScope();
            }
            case SupernetMode.Gumbel:
            {
                using var scope = NewDisposeScope();
                Tensor weights = Choice.ForwardWeights()!;
                int sampled = Choice.LastSample;
                return (weights[sampled] * _candidates[sampled].call(input)).MoveToOuterDisposeScope();
            }
            default:
                return _candidates[Choice.PathCode].call(input);
        }
    }

    /// <inheritdoc />
    bool IPathModule.KeepChild(string childName, IReadOnlyList<int> path, out bool collapse)
    {
        collapse = true;
        return childName == Choice.CandidateNames[path[Choice.Index]];
    }

    // Candidates whose outputs differ in shape cannot be mixed: say which, once, before any arithmetic fails obscurely.
    private void CheckShapes(Tensor input)
    {
        var shapes = new long[_candidates.Length][];
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            for (int i = 0; i < _candidates.Length; i++)
            {
                // In evaluation mode so the probe neither updates batch-norm statistics nor draws dropout masks.
                bool training = _candidates[i].training;
                _candidates[i].eval();
                try
                {
                    shapes[i] = _candidates[i].call(input).shape;
                }
                finally
                {
                    _candidates[i].train(training);
                }
            }
        }

        for (int i = 1; i < shapes.Length; i++)
        {
            if (!shapes[i].SequenceEqual(shapes[0]))
                throw new InvalidOperationException(
                    $"The candidates of choice '{Choice.Label}' (module '{GetName()}') give outputs of different shapes, so they cannot be mixed: " +
                    string.Join(", ", Enumerable.Range(0, shapes.Length).Select(k => $"{Choice.CandidateNames[k]} → [{string.Join(", ", shapes[k])}]")) +
                    ". Make every candidate map the input to the same shape (same channels and stride).");
        }
        _shapesChecked = true;
    }
}
