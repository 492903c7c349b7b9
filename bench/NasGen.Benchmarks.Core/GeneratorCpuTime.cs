using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// <see cref="LargeSpaceGeneratorBenchmarks"/> measured in CPU time of this process rather than wall time: on a shared,
/// loaded machine wall time mostly measures the other jobs. Besides the generator's two runs it measures the floor any
/// attribute-driven generator pays on the same compilation (bind the class and the attributes of its 200 properties),
/// so that the generator's own share can be told apart from the compiler's binding; and, for the body edit, what the
/// edit itself costs (reparsing the file, a new compilation) and what any generator that finds the class by its
/// attribute pays after it (<see cref="FindSpacesOnly"/>).
/// </summary>
internal static class GeneratorCpuTime
{
    public static void Run(int runs)
    {
        var bench = new LargeSpaceGeneratorBenchmarks();
        bench.Setup();
        var compilation = bench.Compilation;

        Report("FirstRun", runs, () => bench.FirstRun());
        Report("AfterBodyEdit", runs, () => bench.AfterBodyEdit());
        Report("Floor: bind attributes, fresh compilation", runs, () => BindAttributes(compilation.Clone()));
        Report("Floor: bind attributes, edited compilation", runs, () => BindAttributes(bench.BodyEdited()));
        Report("Floor: the body edit alone (reparse, compilation)", runs, () => bench.BodyEdited());
        var finder = CSharpGeneratorDriver.Create(new FindSpacesOnly()).RunGenerators(compilation);
        Report("Floor: find the [SearchSpace] class after the edit", runs, () => finder = finder.RunGenerators(bench.BodyEdited()));
    }

    /// <summary>
    /// The least a generator driven by <c>[SearchSpace]</c> does after an edit: ForAttributeWithMetadataName hands the
    /// class over again (binding its attributes in the new compilation), here to a transform that keeps only its name.
    /// </summary>
    private sealed class FindSpacesOnly : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(
                context.SyntaxProvider.ForAttributeWithMetadataName("NasGen.SearchSpaceAttribute",
                    static (node, _) => node is ClassDeclarationSyntax, static (space, _) => space.TargetSymbol.Name),
                static (_, _) => { });
    }

    private static void BindAttributes(Compilation compilation)
    {
        var space = compilation.GetTypeByMetadataName("Bench.Large.Large")!;
        foreach (var member in space.GetMembers()) _ = member.GetAttributes();
    }

    private static void Report(string name, int runs, Action run)
    {
        for (int i = 0; i < 3; i++) run();
        // The garbage of the row before is collected now, not charged to this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) run();
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / runs;
        double wallMs = wall.Elapsed.TotalMilliseconds / runs;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-45} CPU {cpuMs,8:F1} ms/run   wall {wallMs,8:F1} ms/run   ({runs} runs, load {LoadAverage()})"));
    }

    private static string LoadAverage()
    {
        try { return System.IO.File.ReadAllText("/proc/loadavg").Split(' ').First(); }
        catch (System.IO.IOException) { return "?"; }
    }
}
