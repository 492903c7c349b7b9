using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace NasGen.Cli;

/// <summary>
/// The one rule for every file nasgen writes: never into a store (the one being read or any other SQLite file), and
/// never over an existing file without <c>--force</c>. Paths are compared after resolving symbolic links.
/// </summary>
public static class OutputFiles
{
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>
    /// Throws a <see cref="CliException"/> naming <paramref name="path"/> when writing it could destroy data: it is
    /// one of <paramref name="inputs"/>, a SQLite database, a folder, or an existing file without
    /// <paramref name="force"/>. Returns the full path to write.
    /// </summary>
    /// <param name="path">The file to be written, as the user gave it.</param>
    /// <param name="option">The option that named it (for the message), e.g. <c>--out</c>.</param>
    /// <param name="inputs">The stores the command reads.</param>
    /// <param name="force">Whether the user allowed overwriting an existing (non-store) file.</param>
    public static string CheckWritable(string path, string option, IEnumerable<string> inputs, bool force)
    {
        string full = Path.GetFullPath(path);
        string resolved = Resolve(full);
        if (inputs.Any(input => string.Equals(Resolve(Path.GetFullPath(input)), resolved, StringComparison.Ordinal)))
            throw new CliException($"{option} '{full}' is the store being read; nasgen never writes to a store. Give another file.");
        if (Directory.Exists(resolved))
            throw new CliException($"{option} '{full}' is a folder; give a file path.");
        if (!File.Exists(resolved)) return full;
        if (IsSqlite(resolved))
            throw new CliException($"{option} '{full}' is a SQLite database (an experiment store?); nasgen never writes to a store. Give another file.");
        if (!force)
            throw new CliException($"{option} '{full}' already exists; add --force to overwrite it.");
        return full;
    }

    /// <summary>Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/>, then moves it over: never half a file.</summary>
    public static void WriteAllText(string path, string content)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// The path with every symbolic link in it resolved, component by component (what <c>realpath</c> gives); parts
    /// that do not exist yet are kept as they are.
    /// </summary>
    public static string Resolve(string fullPath)
    {
        fullPath = Path.TrimEndingDirectorySeparator(fullPath);
        string? parent = Path.GetDirectoryName(fullPath);
        if (parent is null) return fullPath;
        string here = Path.Combine(Resolve(parent), Path.GetFileName(fullPath));
        var info = new FileInfo(here);
        if (info.LinkTarget is null) return here;
        // Throws IOException on a loop of links, which the command reports as an error.
        FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? here : Resolve(Path.GetFullPath(target.FullName));
    }

    private static bool IsSqlite(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var header = new byte[SqliteHeader.Length];
            return file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.AsSpan().SequenceEqual(SqliteHeader);
        }
        catch (UnauthorizedAccessException)
        {
            // Unreadable, so unknown: treat it as precious.
            return true;
        }
    }
}
