using System.Globalization;
using System.Text;

namespace NasGen.Cli;

/// <summary>
/// Makes text from a store or the command line safe to print: experiment names, errors and architectures are data
/// anyone can write, and control characters in them (ANSI escape sequences, carriage returns, bidirectional
/// overrides) could rewrite or hide what the terminal shows.
/// </summary>
public static class TerminalText
{
    /// <summary>
    /// <paramref name="text"/> with every control character and bidirectional formatting character written as a
    /// visible escape (<c>\x1b</c>, <c>\u202e</c>); line breaks too unless <paramref name="keepLineBreaks"/>.
    /// </summary>
    public static string Escape(string text, bool keepLineBreaks = false)
    {
        if (text is null) return "";
        StringBuilder? escaped = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool unsafeChar = (char.IsControl(c) && !(keepLineBreaks && c == '\n')) || IsBidiControl(c);
            if (!unsafeChar)
            {
                escaped?.Append(c);
                continue;
            }
            escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < '\u0100' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            });
        }
        return escaped?.ToString() ?? text;
    }

    // Embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) reorder what follows them on screen.
    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
