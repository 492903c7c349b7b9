using System.ComponentModel;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.CodeGeneration;

/// <summary>Builds the <c>Sequential</c> of a <c>[Repeat]</c> choice. Public for generated code only, hidden from IntelliSense.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RepeatBlocks
{
    /// <summary>
    /// A <c>Sequential</c> of <paramref name="depth"/> blocks named <c>0</c>, <c>1</c>, ... (their state_dict
    /// prefixes), block <c>i</c> built by <paramref name="blockFactory"/>(i). Depth 0 is the identity.
    /// </summary>
    public static Sequential Build(int depth, Func<int, Module<Tensor, Tensor>> blockFactory)
    {
        ArgumentNullException.ThrowIfNull(blockFactory);
        if (depth < 0) throw new ArgumentOutOfRangeException(nameof(depth), depth, "Depth cannot be negative.");
        var blocks = new (string, Module<Tensor, Tensor>)[depth];
        for (int index = 0; index < depth; index++)
            blocks[index] = (index.ToString(CultureInfo.InvariantCulture), blockFactory(index));
        return Sequential(blocks);
    }
}
