using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NasGen.Generators;

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

/// <summary>A parsed JSON value with the line it starts on (the generator cannot use System.Text.Json).</summary>
internal sealed class JsonNode
{
    public JsonKind Kind;
    public int Line;
    public string Text = ""; // strings: the value; numbers: the literal
    public List<KeyValuePair<string, JsonNode>> Properties = new();
    public List<JsonNode> Items = new();

    // The value as it appears in messages.
    public override string ToString() => Kind switch
    {
        JsonKind.String => "\"" + Text + "\"",
        JsonKind.Number => Text,
        JsonKind.True => "true",
        JsonKind.False => "false",
        JsonKind.Null => "null",
        JsonKind.Array => "[" + string.Join(",", Items) + "]",
        _ => "{...}",
    };
}

/// <summary>Raised by <see cref="ArchitectureJson.Parse"/> with the 1-based line of the problem.</summary>
internal sealed class JsonSyntaxException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>A small strict JSON parser (RFC 8259) that keeps line numbers for diagnostics.</summary>
internal sealed class ArchitectureJson
{
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
        if (parser._position < text.Length) throw parser.Error("unexpected text after the JSON value");
        return value;
    }

    private JsonNode Value(int depth)
    {
        if (depth > 64) throw Error("nesting is too deep");
        SkipWhitespace();
        if (_position >= _text.Length) throw Error("unexpected end of file");
        var node = new JsonNode { Line = _line };
        char c = _text[_position];
        switch (c)
        {
            case '{':
                node.Kind = JsonKind.Object;
                _position++;
                SkipWhitespace();
                if (Peek() == '}') { _position++; return node; }
                while (true)
                {
                    SkipWhitespace();
                    if (Peek() != '"') throw Error("expected a property name in double quotes");
                    string name = String();
                    SkipWhitespace();
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
            if (c == '"') return text.ToString();
            if (c < 0x20) throw Error("control character in a string");
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
                    if (_position + 4 > _text.Length
                        || !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        throw Error("invalid \\u escape");
                    text.Append((char)code);
                    _position += 4;
                    break;
                default:
                    throw Error($"invalid escape '\\{e}'");
            }
        }
    }

    private string Number()
    {
        int start = _position;
        if (Peek() == '-') _position++;
        if (!char.IsDigit(Peek())) throw Error($"unexpected character '{Describe(Peek())}'");
        while (char.IsDigit(Peek())) _position++;
        if (Peek() == '.')
        {
            _position++;
            if (!char.IsDigit(Peek())) throw Error("expected a digit after '.'");
            while (char.IsDigit(Peek())) _position++;
        }
        if (Peek() is 'e' or 'E')
        {
            _position++;
            if (Peek() is '+' or '-') _position++;
            if (!char.IsDigit(Peek())) throw Error("expected a digit in the exponent");
            while (char.IsDigit(Peek())) _position++;
        }
        return _text.Substring(start, _position - start);
    }

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

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\r' or '\n')
        {
            if (_text[_position] == '\n') _line++;
            _position++;
        }
    }

    private static string Describe(char c) => c < 0x20 ? $"\\u{(int)c:X4}" : c.ToString();

    private JsonSyntaxException Error(string message) => new(message, _line);
}
