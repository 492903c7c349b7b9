using System.ComponentModel;
using NasGen.OneShot;

namespace NasGen.CodeGeneration;

/// <summary>
/// The supernet being built on this thread. A generated <c>CreateSupernet</c> enters a scope and calls the space's
/// own constructor; the generated <c>InitializeChoices</c> sees <see cref="Current"/> and builds mixed operations
/// instead of the chosen ones. Public for generated code only, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SupernetBuild
{
    [ThreadStatic] private static SupernetContext? _current;

    /// <summary>The context of the supernet under construction on this thread, or null.</summary>
    public static SupernetContext? Current => _current;

    /// <summary>Makes <paramref name="context"/> current until the returned scope is disposed.</summary>
    public static Scope Enter(SupernetContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var previous = _current;
        _current = context;
        return new Scope(previous);
    }

    /// <summary>
    /// Makes <paramref name="context"/> current as <see cref="Enter(SupernetContext)"/> does, and records in it the value
    /// at which <paramref name="architecture"/> pins each numeric range of <paramref name="space"/>, so that asking the
    /// context for a range by label says it is pinned.
    /// </summary>
    public static Scope Enter<TArchitecture>(SupernetContext context, SearchSpace<TArchitecture> space, in TArchitecture architecture)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(space);
        for (int d = 0; d < space.Dimensions.Count; d++)
        {
            var dimension = space.Dimensions[d];
            if (dimension.Range is { } range)
                context.PinRange(dimension.Label, $"{dimension.Label} = {space.DescribeValue(architecture, d)} in {range}");
        }
        return Enter(context);
    }

    /// <summary>Restores the previous context when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly SupernetContext? _previous;

        internal Scope(SupernetContext? previous) => _previous = previous;

        /// <inheritdoc />
        public void Dispose() => _current = _previous;
    }
}
