using static TorchSharp.torch;

namespace NasGen.OneShot;

/// <summary>
/// An input choice inside a supernet: mixes <c>n</c> incoming tensors according to the context's mode. Sum and
/// Mean reductions only: a weighted or sampled mixture of concatenations of different selections has no common
/// shape, so <see cref="InputReduction.Concat"/> is refused.
/// </summary>
/// <remarks>
/// The base class's <see cref="InputChoice.Chosen"/> is only a placeholder (the first <c>k</c> inputs); the
/// selection in force is the path's or the Gumbel sample's (<see cref="MixedChoice.ActiveInputs"/>).
/// </remarks>
public sealed class MixedInput : InputChoice
{
    /// <summary>Creates the mixed input of <paramref name="choice"/> (an input choice) with <paramref name="reduction"/>.</summary>
    /// <exception cref="NotSupportedException"><paramref name="reduction"/> is Concat.</exception>
    public MixedInput(MixedChoice choice, InputReduction reduction)
        : base(Placeholder(choice), reduction)
    {
        if (choice.Kind != MixedChoiceKind.Input) throw new ArgumentException($"Choice '{choice.Label}' is an operation choice; use MixedOperation.", nameof(choice));
        if (reduction == InputReduction.Concat)
            throw new NotSupportedException(
                $"Input choice '{choice.Label}' concatenates its inputs, which cannot be mixed in a supernet: each selection gives a different " +
                "number of channels. Use Sum or Mean for a choice searched one-shot, or search it with a multi-trial strategy.");
        Choice = choice;
    }

    /// <summary>The choice (alpha, path code) this input choice follows.</summary>
    public MixedChoice Choice { get; }

    /// <summary>
    /// Combines the candidates. Weighted: <c>k · Σ softmax(β)_i x_i</c> for Sum (the factor keeps the scale of a sum of
    /// <c>k</c> inputs), <c>Σ softmax(β)_i x_i</c> for Mean — the edge normalisation of PC-DARTS (Xu et al., 2020, eq. 4).
    /// Gumbel: <c>Σ_{i∈S} h_i x_i</c> over the sampled top-k set <c>S</c> (divided by k for Mean). Single-path: the plain
    /// reduction of the path's selection. Tensors of unselected inputs may be null (they are never read).
    /// </summary>
    public override Tensor Select(params Tensor[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        int n = Choice.CandidateNames.Count;
        if (candidates.Length != n)
            throw new ArgumentException($"Input choice '{Choice.Label}' takes {n} tensors; {candidates.Length} were given.", nameof(candidates));
        int k = Choice.Chosen;
        using var scope = NewDisposeScope();
        Tensor? sum = null;
        switch (Choice.Context.Mode)
        {
            case SupernetMode.Weighted:
            {
                Tensor weights = Choice.ForwardWeights()!;
                double scale = Reduction == InputReduction.Sum ? k : 1;
                for (int i = 0; i < n; i++)
                {
                    Tensor term = (weights[i] * scale) * Required(candidates, i);
                    sum = sum is null ? term : sum.add_(term);
                }
                break;
            }
            case SupernetMode.Gumbel:
            {
                Tensor weights = Choice.ForwardWeights()!;
                foreach (int i in Choice.LastSampledInputs.ToArray())
                {
                    Tensor term = weights[i] * Required(candidates, i);
                    sum = sum is null ? term : sum.add_(term);
                }
                if (Reduction == InputReduction.Mean) sum = sum!.div_(k);
                break;
            }
            default:
            {
                foreach (int i in Choice.InputSets[Choice.PathCode].ToArray())
                {
                    Tensor term = Required(candidates, i);
                    sum = sum is null ? term.clone() : sum.add_(term);
                }
                if (Reduction == InputReduction.Mean) sum = sum!.div_(k);
                break;
            }
        }
        return sum!.MoveToOuterDisposeScope();
    }

    private Tensor Required(Tensor[] candidates, int i) => candidates[i]
        ?? throw new ArgumentException($"Input {i} of choice '{Choice.Label}' is selected in the current mode but was given as null.", nameof(candidates));

    private static ChosenInputs Placeholder(MixedChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        var first = new int[choice.Chosen];
        for (int i = 0; i < first.Length; i++) first[i] = i;
        return new ChosenInputs(choice.CandidateNames.Count, first);
    }
}
