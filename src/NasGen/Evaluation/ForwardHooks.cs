using static TorchSharp.torch;

namespace NasGen.Evaluation;

/// <summary>
/// Forward hooks on the leaf modules of a network, removed on dispose. TorchSharp runs hooks only for
/// modules invoked with <c>call()</c>, so observers built on this see exactly the layers that ran.
/// </summary>
internal sealed class ForwardHooks : IDisposable
{
    private readonly List<Action> _removers = new();

    /// <summary>Hooks every leaf of <paramref name="model"/> (itself included) that <paramref name="select"/> accepts.</summary>
    /// <param name="model">The network.</param>
    /// <param name="select">Which leaves to observe.</param>
    /// <param name="observe">Called with (module, input, output) after each observed forward.</param>
    public ForwardHooks(nn.Module<Tensor, Tensor> model, Func<nn.Module<Tensor, Tensor>, bool> select, Action<nn.Module<Tensor, Tensor>, Tensor, Tensor> observe)
    {
        foreach (var leaf in LeafModules(model).Where(select))
        {
            var remover = leaf.register_forward_hook((module, input, output) =>
            {
                FiredCount++;
                observe(module, input, output);
                return output;
            });
            _removers.Add(remover.remove);
        }
    }

    /// <summary>How many hooked forwards ran so far.</summary>
    public int FiredCount { get; private set; }

    /// <summary>Every module under <paramref name="model"/> (itself included) that has no children and can take hooks.</summary>
    public static IEnumerable<nn.Module<Tensor, Tensor>> LeafModules(nn.Module<Tensor, Tensor> model)
    {
        var all = new[] { (nn.Module)model }.Concat(model.named_modules().Select(m => m.module));
        return all.Where(m => !m.children().Any()).OfType<nn.Module<Tensor, Tensor>>();
    }

    /// <inheritdoc />
    public void Dispose() => _removers.ForEach(remove => remove());
}
