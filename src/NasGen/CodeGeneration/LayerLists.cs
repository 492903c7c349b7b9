using System.ComponentModel;
using NasGen.OneShot;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.CodeGeneration;

/// <summary>
/// What the code generated for an indexed layer choice (<c>[LayerChoice(..., Count = n)]</c>) calls: the fixed
/// <c>ModuleList</c>, the supernet's one mixed operation per position, and the codes of the space descriptor.
/// Public for generated code only, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LayerLists
{
    /// <summary>The label of position <paramref name="position"/>: <c>{label}.{position}</c>.</summary>
    public static string PositionLabel(string label, int position) => label + "." + position.ToString(CultureInfo.InvariantCulture);

    /// <summary>The fixed network's list: position <c>i</c> holds <paramref name="factory"/>(chosen[i], i) alone.</summary>
    public static ModuleList<Module<Tensor, Tensor>> Fixed<TCandidate>(LayerChoices<TCandidate> chosen,
        Func<TCandidate, int, Module<Tensor, Tensor>> factory) where TCandidate : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(factory);
        var modules = new Module<Tensor, Tensor>[chosen.Count];
        for (int position = 0; position < modules.Length; position++) modules[position] = factory(chosen[position], position);
        return new ModuleList<Module<Tensor, Tensor>>(modules);
    }

    /// <summary>
    /// The supernet's list: per position one <see cref="MixedOperation"/> over every candidate
    /// (<paramref name="candidates"/>(i), in the order of <paramref name="names"/>), registered as <c>{label}.{i}</c>.
    /// </summary>
    public static ModuleList<Module<Tensor, Tensor>> Supernet(SupernetContext context, string label, string[] names, int count,
        Func<int, Module<Tensor, Tensor>[]> candidates)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(candidates);
        var modules = new Module<Tensor, Tensor>[count];
        for (int position = 0; position < count; position++)
        {
            string name = position.ToString(CultureInfo.InvariantCulture);
            modules[position] = new MixedOperation(name, context.Register(PositionLabel(label, position), names), candidates(position));
        }
        return new ModuleList<Module<Tensor, Tensor>>(modules);
    }

    /// <summary>The choices a supernet path takes at every position.</summary>
    public static LayerChoices<TCandidate> OnPath<TCandidate>(SupernetContext context, string label, TCandidate[] candidates, int count,
        IReadOnlyList<int> path) where TCandidate : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(path);
        return new LayerChoices<TCandidate>(Enumerable.Range(0, count)
            .Select(position => candidates[path[context[PositionLabel(label, position)].Index]]));
    }

    /// <summary>One layer dimension per position, <c>{label}.{i}</c>.</summary>
    public static IEnumerable<Dimension> Dimensions<TCandidate>(string label, int count, TCandidate[] candidates, string[] names)
        where TCandidate : notnull =>
        Enumerable.Range(0, count).Select(position => Dimension.OfNamed(PositionLabel(label, position), ChoiceKind.Layer, candidates, names));

    /// <summary>The codes of <paramref name="chosen"/>: -1 at every position when it is missing or has another length.</summary>
    public static void Encode<TCandidate>(LayerChoices<TCandidate>? chosen, TCandidate[] candidates, Span<int> codes)
        where TCandidate : struct, Enum
    {
        if (chosen is null || chosen.Count != codes.Length)
        {
            codes.Fill(-1);
            return;
        }
        for (int position = 0; position < codes.Length; position++) codes[position] = Array.IndexOf(candidates, chosen[position]);
    }

    /// <summary>The choices that <paramref name="codes"/> denote.</summary>
    public static LayerChoices<TCandidate> Decode<TCandidate>(TCandidate[] candidates, ReadOnlySpan<int> codes)
        where TCandidate : struct, Enum
    {
        var chosen = new TCandidate[codes.Length];
        for (int position = 0; position < chosen.Length; position++) chosen[position] = candidates[codes[position]];
        return new LayerChoices<TCandidate>(chosen);
    }

    /// <summary>Position <paramref name="position"/>'s value as text, for error messages (a list of another length says so).</summary>
    public static string Describe<TCandidate>(LayerChoices<TCandidate>? chosen, int position, int count) where TCandidate : struct, Enum =>
        chosen is null ? "null"
        : chosen.Count != count ? $"a list of {chosen.Count} choices where the space has {count} positions"
        : chosen[position].ToString();
}
