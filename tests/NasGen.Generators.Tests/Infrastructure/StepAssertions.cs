using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace NasGen.Generators.Tests.Infrastructure;

/// <summary>Assertions on the tracked incremental steps of a generator run.</summary>
internal static class StepAssertions
{
    public static readonly string[] TrackedNames =
        [TrackingNames.Spaces, TrackingNames.Models, TrackingNames.Diagnostics, TrackingNames.ExportTemplates, TrackingNames.HintNames];

    /// <summary>Every output of every tracked step, and every source output, is Cached or Unchanged.</summary>
    public static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
    {
        var steps = result.TrackedSteps;
        foreach (string name in TrackedNames)
        {
            Assert.True(steps.ContainsKey(name), $"Step '{name}' was not tracked; tracked: {string.Join(", ", steps.Keys)}");
            foreach (var step in steps[name])
                foreach (var (_, reason) in step.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"Step '{name}' output was {reason}");
        }
        Assert.NotEmpty(result.TrackedOutputSteps);
        foreach (var (kind, outputSteps) in result.TrackedOutputSteps)
            foreach (var step in outputSteps)
                foreach (var (_, reason) in step.Outputs)
                    Assert.True(reason == IncrementalStepRunReason.Cached, $"Output step '{kind}' was {reason}");
    }

    /// <summary>The reasons of the outputs of one tracked step.</summary>
    public static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string name) =>
        result.TrackedSteps[name].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();

    /// <summary>Walks every tracked step output and fails on a Roslyn object that would pin a compilation.</summary>
    public static void AssertNoCompilationObjects(GeneratorRunResult result)
    {
        int walked = 0;
        foreach (string name in TrackedNames)
            foreach (var step in result.TrackedSteps.GetValueOrDefault(name, []))
                foreach (var (value, _) in step.Outputs)
                {
                    walked++;
                    Walk(value, $"{name}", new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
        Assert.True(walked > 0, "No tracked step outputs to walk.");
    }

    private static readonly Type[] Forbidden =
        [typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(SemanticModel), typeof(Location), typeof(SyntaxTree)];

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null) return;
        var type = value.GetType();
        foreach (var forbidden in Forbidden)
            Assert.False(forbidden.IsAssignableFrom(type), $"{path} holds a {type.FullName} ({forbidden.Name}); pipeline models must be plain data.");
        if (type.IsPrimitive || type.IsEnum || value is string or decimal) return;
        if (!type.IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items and not string)
        {
            int i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", seen);
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
            }
    }
}
