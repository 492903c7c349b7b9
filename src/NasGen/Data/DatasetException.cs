namespace NasGen.Data;

/// <summary>A dataset file is missing, incomplete or corrupt. The message names the file and how to fix it.</summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception with a message that names the file(s) and the remedy.</summary>
    public DatasetException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public DatasetException(string message, Exception innerException) : base(message, innerException) { }
}
