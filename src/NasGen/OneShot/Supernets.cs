using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.OneShot;

/// <summary>Helpers over whole supernets: inheriting their weights into fixed networks.</summary>
public static class Supernets
{
    /// <summary>
    /// The state_dict of the fixed network on <paramref name="path"/>, with the supernet's (trained) weights: the keys a
    /// fixed network built with the same names has — candidate name levels of <see cref="MixedOperation"/>s dropped,
    /// unchosen candidates and unchosen cell edges left out — so <c>fixed.load_state_dict(dict, strict: true)</c> works.
    /// The tensors are copies.
    /// </summary>
    /// <param name="supernet">The supernet (its mixed modules must follow <paramref name="context"/>).</param>
    /// <param name="context">The supernet's context.</param>
    /// <param name="path">One code per choice of <paramref name="context"/>; default its current <see cref="SupernetContext.Path"/>.</param>
    public static Dictionary<string, Tensor> ExtractFixedStateDict(Module supernet, SupernetContext context, IReadOnlyList<int>? path = null)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        ArgumentNullException.ThrowIfNull(context);
        int[] codes = (path ?? context.Path).ToArray();
        context.ValidatePath(codes);

        var childrenCache = new Dictionary<Module, Dictionary<string, Module>>(ReferenceEqualityComparer.Instance);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in supernet.state_dict())
        {
            string? fixedKey = MapKey(supernet, key, codes, childrenCache);
            if (fixedKey is null) continue;
            using (no_grad())
            {
                result.Add(fixedKey, value.detach().clone());
            }
        }
        return result;
    }

    /// <summary>
    /// Loads the supernet's weights on <paramref name="path"/> into <paramref name="fixedNetwork"/> (strict: every key
    /// must match, see <see cref="ExtractFixedStateDict"/>).
    /// </summary>
    public static void InheritWeights(Module supernet, SupernetContext context, Module fixedNetwork, IReadOnlyList<int>? path = null)
    {
        ArgumentNullException.ThrowIfNull(fixedNetwork);
        var dict = ExtractFixedStateDict(supernet, context, path);
        try
        {
            fixedNetwork.load_state_dict(dict, strict: true);
        }
        finally
        {
            foreach (var tensor in dict.Values) tensor.Dispose();
        }
    }

    // Walks the key's parts down the module tree; a path module decides about its children.
    private static string? MapKey(Module root, string key, int[] path, Dictionary<Module, Dictionary<string, Module>> cache)
    {
        string[] parts = key.Split('.');
        var kept = new List<string>(parts.Length);
        Module? module = root;
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (module is IPathModule pathModule && i < parts.Length - 1)
            {
                if (!pathModule.KeepChild(part, path, out bool collapse)) return null;
                if (!collapse) kept.Add(part);
            }
            else
            {
                kept.Add(part);
            }

            if (module is null) continue;
            if (!cache.TryGetValue(module, out var children))
            {
                children = module.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
                cache.Add(module, children);
            }
            module = children.TryGetValue(part, out var child) ? child : null;
        }
        return string.Join(".", kept);
    }
}
