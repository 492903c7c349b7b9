using TorchSharp;
using static TorchSharp.torch;

namespace NasGen;

/// <summary>
/// The run-time side of an <c>[InputChoice]</c>: combines the incoming tensors the architecture selected.
/// Call <see cref="Select(Tensor, Tensor)"/> (or an overload) with all candidate tensors, in order.
/// </summary>
public class InputChoice
{
    private readonly int[] _selected;

    /// <summary>Selects <paramref name="chosen"/> and combines the selection with <paramref name="reduction"/>.</summary>
    public InputChoice(ChosenInputs chosen, InputReduction reduction)
    {
        if (chosen.Count == 0) throw new ArgumentException("An input choice must select at least one input.", nameof(chosen));
        Chosen = chosen;
        Reduction = reduction;
        _selected = chosen.ToArray();
    }

    /// <summary>The selected inputs.</summary>
    public ChosenInputs Chosen { get; }

    /// <summary>How the selection is combined.</summary>
    public InputReduction Reduction { get; }

    /// <summary>Combines the selected of two candidates.</summary>
    public Tensor Select(Tensor first, Tensor second) => Select([first, second]);

    /// <summary>Combines the selected of three candidates.</summary>
    public Tensor Select(Tensor first, Tensor second, Tensor third) => Select([first, second, third]);

    /// <summary>Combines the selected of <see cref="ChosenInputs.Candidates"/> candidates.</summary>
    public virtual Tensor Select(params Tensor[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Length != Chosen.Candidates)
            throw new ArgumentException($"This input choice takes {Chosen.Candidates} tensors; {candidates.Length} were given.", nameof(candidates));
        if (_selected.Length == 1) return candidates[_selected[0]];

        switch (Reduction)
        {
            case InputReduction.Concat:
                var parts = new Tensor[_selected.Length];
                for (int i = 0; i < parts.Length; i++) parts[i] = candidates[_selected[i]];
                return cat(parts, 1);
            default:
                var sum = candidates[_selected[0]] + candidates[_selected[1]];
                for (int i = 2; i < _selected.Length; i++) sum.add_(candidates[_selected[i]]);
                return Reduction == InputReduction.Mean ? sum.div_(_selected.Length) : sum;
        }
    }
}
