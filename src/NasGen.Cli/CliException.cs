using System;

namespace NasGen.Cli;

/// <summary>A failure the user can act on (unknown experiment or trial, bad option value): printed without a stack trace.</summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the exception with the message shown to the user.</summary>
    public CliException(string message) : base(message) { }
}
