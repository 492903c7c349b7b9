using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// <see cref="LargeSpaceGeneratorBenchmarks"/> measured in CPU time of this process rather than wall time: on a shared,
/// loaded machine wall time mostly measures the other jobs. Besides the generator's two runs it measures the floor any
/// attribute-driven generator pays on the same compilation (bind the class and the attributes of its 200 properties),
/// so that the generator's own share can be told apart from the compiler's binding.
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
    }

    private static void BindAttributes(Compilation compilation)
    {
        var space = compilation.GetTypeByMetadataName("Bench.Large.Large")!;
        foreach (var member in space.GetMembers()) _ = member.GetAttributes();
    }

    private static void Report(string name, int runs, Action run)
    {
        for (int i = 0; i < 3; i++) run();
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
