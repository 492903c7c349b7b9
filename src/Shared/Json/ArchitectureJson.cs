// Shared by NasGen.Generators ([FixedArchitecture] files at build time) and NasGen (Architecture.FromJson at run
// time), so both read an architecture file by the same rules. Keep it netstandard2.0 and dependency-free.
using System.Text;

namespace NasGen.Json;

internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>A parsed JSON value with the line it starts on.</summary>
internal sealed class JsonNode
{
    public JsonKind Kind;
    public int Line;
    public string Text = ""; // strings: the value; numbers: the literal
    public List<KeyValuePair<string, JsonNode>> Properties = new();
    public List<JsonNode> Items = new();

    /// <summary>The value as messages show it: JSON text, cut to <see cref="JsonText.MaxShown"/> characters.</summary>
    public override string ToString() => Kind switch
    {
        JsonKind.String => JsonText.Quote(JsonText.Cut(Text)),
        JsonKind.Number => JsonText.Cut(Text),
        JsonKind.True => "true",
        JsonKind.False => "false",
        JsonKind.Null => "null",
        JsonKind.Object => "{...}",
        _ => JsonText.Cut(ArrayText()),
    };

    // Stops once the text is longer than a message shows, so a huge array costs no more than a small one.
    private string ArrayText()
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < Items.Count && text.Length <= JsonText.MaxShown; i++)
            text.Append(i > 0 ? "," : "").Append(Items[i]);
        return text.Append(']').ToString();
    }
}

/// <summary>Raised by <see cref="ArchitectureJson.Parse"/> with the 1-based line of the problem.</summary>
internal sealed class JsonSyntaxException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// A small strict JSON parser (RFC 8259) that keeps line numbers for messages. Stricter than the RFC where an
/// architecture file must be: a key twice in one object and a string that is not valid Unicode (a lone surrogate,
/// escaped or not) are errors.
/// </summary>
internal sealed class ArchitectureJson
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _position;
    private int _line = 1;

    private ArchitectureJson(string text) => _text = text;

    public static JsonNode Parse(string text)
    {
        var parser = new ArchitectureJson(text);
        if (text.Length > 0 && text[0] == '\uFEFF') parser._position = 1;
        var value = parser.Value(0);
        parser.SkipWhitespace();
        if (parser._position < text.Length) throw parser.Error($"unexpected '{Describe(parser.Peek())}' after the JSON value");
        return value;
    }

    private JsonNode Value(int depth)
    {
        if (depth > MaxDepth) throw Error($"nesting is deeper than {MaxDepth} levels");
        SkipWhitespace();
        if (_position >= _text.Length) throw Error("unexpected end of file");
        var node = new JsonNode { Line = _line };
        switch (_text[_position])
        {
            case '{':
                node.Kind = JsonKind.Object;
                _position++;
                SkipWhitespace();
                if (Peek() == '}') { _position++; return node; }
                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (true)
                {
                    SkipWhitespace();
                    if (Peek() != '"') throw Error(_position >= _text.Length ? "unexpected end of file" : "expected a property name in double quotes");
                    int keyLine = _line;
                    string name = String();
                    if (!keys.Add(name)) throw new JsonSyntaxException($"the key {JsonText.Quote(JsonText.Cut(name))} appears twice in one object", keyLine);
                    Expect(':');
                    node.Properties.Add(new KeyValuePair<string, JsonNode>(name, Value(depth + 1)));
                    SkipWhitespace();
                    if (Peek() == ',') { _position++; continue; }
                    Expect('}');
                    return node;
                }
            case '[':
                node.Kind = JsonKind.Array;
                _position++;
                SkipWhitespace();
                if (Peek() == ']') { _position++; return node; }
                while (true)
                {
                    node.Items.Add(Value(depth + 1));
                    SkipWhitespace();
                    if (Peek() == ',') { _position++; continue; }
                    Expect(']');
                    return node;
                }
            case '"':
                node.Kind = JsonKind.String;
                node.Text = String();
                return node;
            default:
                if (Word("true")) { node.Kind = JsonKind.True; return node; }
                if (Word("false")) { node.Kind = JsonKind.False; return node; }
                if (Word("null")) { node.Kind = JsonKind.Null; return node; }
                node.Kind = JsonKind.Number;
                node.Text = Number();
                return node;
        }
    }

    private string String()
    {
        _position++; // opening quote
        var text = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length) throw Error("unterminated string");
            char c = _text[_position++];
            if (c == '"') break;
            if (c < 0x20) throw Error($"control character {Describe(c)} in a string (write it as an escape)");
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (_position >= _text.Length) throw Error("unterminated string");
            char e = _text[_position++];
            switch (e)
            {
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '/': text.Append('/'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length || !IsHex(_text, _position, 4))
                        throw Error("invalid \\u escape (it takes four hexadecimal digits)");
                    text.Append((char)int.Parse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    _position += 4;
                    break;
                default:
                    throw Error($"invalid escape '\\{Describe(e)}'");
            }
        }
        string value = text.ToString();
        CheckSurrogates(value);
        return value;
    }

    private static bool IsHex(string text, int start, int count)
    {
        for (int i = start; i < start + count; i++)
            if (!Uri.IsHexDigit(text[i])) return false;
        return true;
    }

    // A high surrogate must be followed by a low one and a low one preceded by a high one: anything else is not text.
    private void CheckSurrogates(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) throw Error($"a string holds the lone surrogate {Describe(value[i])}, which is not Unicode text");
        }
    }

    private string Number()
    {
        int start = _position;
        if (Peek() == '-') _position++;
        if (!IsDigit(Peek())) throw Error(_position >= _text.Length ? "unexpected end of file" : $"unexpected '{Describe(Peek())}'");
        if (Peek() == '0' && IsDigit(PeekAt(1))) throw Error("a number cannot start with 0");
        while (IsDigit(Peek())) _position++;
        if (Peek() == '.')
        {
            _position++;
            if (!IsDigit(Peek())) throw Error("expected a digit after '.'");
            while (IsDigit(Peek())) _position++;
        }
        if (Peek() is 'e' or 'E')
        {
            _position++;
            if (Peek() is '+' or '-') _position++;
            if (!IsDigit(Peek())) throw Error("expected a digit in the exponent");
            while (IsDigit(Peek())) _position++;
        }
        return _text.Substring(start, _position - start);
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private bool Word(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0) return false;
        _position += word.Length;
        return true;
    }

    private void Expect(char c)
    {
        SkipWhitespace();
        if (Peek() != c) throw Error(_position >= _text.Length ? $"expected '{c}' before the end of file" : $"expected '{c}', found '{Describe(Peek())}'");
        _position++;
    }

    private char Peek() => PeekAt(0);

    private char PeekAt(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\r' or '\n')
        {
            if (_text[_position] == '\n') _line++;
            _position++;
        }
    }

    // Control characters and surrogates as escapes, so a message never carries them raw.
    private static string Describe(char c) => c < 0x20 || char.IsSurrogate(c) || c == 0x7F
        ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture)
        : c.ToString();

    private JsonSyntaxException Error(string message) => new(message, _line);
}
