using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// The export template as generated C# (X.Export.g.cs) builds, in the runtime, the template the generator holds: every
/// field of every template class, with text that a C# literal must carry exactly. The template classes are reached by
/// reflection: the generator's internal copies and the runtime's public ones share their full names.
/// </summary>
public class TemplateEmitterTests
{
    // Runs of quotes longer than the shortest raw delimiter, escapes that must stay text, blank and whitespace-only
    // lines, line ends at either edge, carriage returns, tabs, a line separator, an astral character, braces.
    private static readonly string[] Texts =
    [
        "plain",
        "    public int X()\n    {\n        return \"\"\"\"\"\".Length + @\"a\"\"b\".Length;\n    }",
        "\n  \n\tindented \\n not a newline\n\n",
        "carriage\r\nreturn\rhere",
        "ünïcödé \U0001D538 \u2028 line separator",
        "{ braces } $\"{x}\" \"",
        "\"\"\"\nstarts and ends with quotes\n\"\"\"",
        "    ",
    ];

    private static readonly double[] Numbers = [0.1, -2.5e-7, 1e300, -0.0, 3, float.MaxValue];

    [Fact]
    public void EveryFieldSurvivesTheGeneratedCode()
    {
        for (int variant = 0; variant < Texts.Length; variant++)
        {
            var expected = Filled(GeneratorType("NetworkTemplate"), variant, depth: 0)!;
            string code = (string)typeof(Emitter).GetMethod(nameof(Emitter.TemplateExpression))!.Invoke(null, [expected, null])!;
            var actual = Run(code);
            AssertSame(expected, actual, "template");
        }
    }

    [Fact]
    public void FieldsAtTheirDefaultsAreLeftOut()
    {
        string code = (string)typeof(Emitter).GetMethod(nameof(Emitter.TemplateExpression))!
            .Invoke(null, [Activator.CreateInstance(GeneratorType("NetworkTemplate")), null])!;

        Assert.Equal("new()", code);
    }

    private static Type GeneratorType(string name) =>
        typeof(SearchSpaceGenerator).Assembly.GetType("NasGen.CodeGeneration." + name, throwOnError: true)!;

    // Every field set to something other than its default: lists of two, objects nested four deep (conditions in
    // conditions, parts in branches of parts).
    private static object? Filled(Type type, int seed, int depth)
    {
        if (type == typeof(string)) return Texts[seed % Texts.Length];
        if (type == typeof(int)) return seed + 1;
        if (type == typeof(bool)) return true;
        if (type == typeof(double)) return Numbers[seed % Numbers.Length];
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(1 + seed % (values.Length - 1));
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(type)!;
            for (int i = 0; i < 2; i++)
                if (Filled(type.GetGenericArguments()[0], seed + i, depth) is { } item) list.Add(item);
            return list;
        }
        if (depth > 4) return null;
        object value = Activator.CreateInstance(type)!;
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance);
        for (int i = 0; i < fields.Length; i++) fields[i].SetValue(value, Filled(fields[i].FieldType, seed + i, depth + 1));
        return value;
    }

    // Compiles the expression in a class of its own with zero diagnostics and returns what it builds at run time.
    private static object Run(string expression)
    {
        string source = $$"""
            #nullable enable
            public static class Probe
            {
                public static global::NasGen.CodeGeneration.NetworkTemplate Build() => {{expression}};
            }
            """;
        var compilation = TestCompilation.Create(TestCompilation.Parse(source, "Probe.cs"));
        Assert.True(compilation.GetDiagnostics().IsEmpty, string.Join("\n", compilation.GetDiagnostics()) + "\n" + source);
        using var image = new MemoryStream();
        Assert.True(compilation.Emit(image).Success);
        return Assembly.Load(image.ToArray()).GetType("Probe")!.GetMethod("Build")!.Invoke(null, null)!;
    }

    private static void AssertSame(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} vs {actual ?? "null"}");
            return;
        }
        switch (expected)
        {
            case string or int or bool:
                Assert.True(expected.Equals(actual), $"{path}: {Show(expected)} vs {Show(actual)}");
                return;
            case double number:
                Assert.True(BitConverter.DoubleToInt64Bits(number) == BitConverter.DoubleToInt64Bits((double)actual), $"{path}: {number:R} vs {actual:R}");
                return;
            case Enum:
                Assert.Equal(expected.ToString(), actual.ToString());
                return;
            case IList list:
                var other = (IList)actual;
                Assert.True(list.Count == other.Count, $"{path}: {list.Count} items vs {other.Count}");
                for (int i = 0; i < list.Count; i++) AssertSame(list[i], other[i], $"{path}[{i}]");
                return;
        }
        var fields = expected.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance);
        Assert.Equal(fields.Select(f => f.Name), actual.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name));
        foreach (var field in fields)
            AssertSame(field.GetValue(expected), actual.GetType().GetField(field.Name)!.GetValue(actual), path + "." + field.Name);
    }

    private static string Show(object value) => value is string text ? Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true) : value.ToString()!;
}
