// Shared by NasGen.Generators ([FixedArchitecture]) and NasGen (EmitSource): both write the same source.
using System.Text;
using System.Text.RegularExpressions;

namespace NasGen.Export;

/// <summary>C# identifier rules, without Roslyn (the runtime has none).</summary>
internal static class CSharpIdentifiers
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while", "__arglist", "__makeref", "__reftype", "__refvalue",
    };

    // Legal as names in most places, but not all (`field` in an accessor, `var` as a type, `value` in a setter, `await`
    // in an async method): generated code escapes them too, which is legal everywhere.
    private static readonly HashSet<string> ContextualKeywords = new(StringComparer.Ordinal)
    {
        "add", "alias", "allows", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic", "equals",
        "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed", "nameof",
        "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped",
        "select", "set", "unmanaged", "value", "var", "when", "where", "with", "yield",
    };

    /// <summary><paramref name="name"/> as it can be written in any position of C# source: with <c>@</c> when it is a keyword.</summary>
    public static string Escape(string name) =>
        Keywords.Contains(name) || ContextualKeywords.Contains(name) ? "@" + name : name;

    public static bool IsValid(string name)
    {
        if (string.IsNullOrEmpty(name) || Keywords.Contains(name)) return false;
        for (int i = 0; i < name.Length; i++)
        {
            var category = char.GetUnicodeCategory(name[i]);
            bool letter = name[i] == '_' || category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.LetterNumber;
            bool other = category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.Format;
            if (!(letter || (i > 0 && other))) return false;
        }
        return true;
    }
}
