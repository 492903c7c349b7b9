namespace NasGen;

/// <summary>
/// An architecture, architecture string or architecture JSON that does not fit its space. The message names
/// the label, the bad value and the allowed candidates.
/// </summary>
public sealed class InvalidArchitectureException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="label"/> (null when the problem is not one label's).</summary>
    public InvalidArchitectureException(string message, string? label = null, Exception? inner = null)
        : base(message, inner) => Label = label;

    /// <summary>The label at fault, when there is one.</summary>
    public string? Label { get; }
}
