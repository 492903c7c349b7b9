using System;
using System.IO;
using System.Text;
using NasGen.Storage;

namespace NasGen.Cli;

/// <summary>
/// Writes to another writer line by line with every password masked (<see cref="ExperimentStores.Redact"/>): whatever
/// echoes a store location (an error message, an argument-parsing error, a table) cannot print a secret. Whole lines
/// are redacted because writers such as Spectre.Console's send a line in several pieces.
/// </summary>
internal sealed class RedactingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        _line.Append(value);
        if (value == '\n') FlushLine();
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        int start = 0;
        for (int newline = value.IndexOf('\n', start); newline >= 0; newline = value.IndexOf('\n', start))
        {
            _line.Append(value, start, newline + 1 - start);
            FlushLine();
            start = newline + 1;
        }
        _line.Append(value, start, value.Length - start);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        FlushLine();
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush(); // the inner writer belongs to the caller
        base.Dispose(disposing);
    }

    private void FlushLine()
    {
        if (_line.Length == 0) return;
        inner.Write(ExperimentStores.Redact(_line.ToString()));
        _line.Clear();
    }
}
