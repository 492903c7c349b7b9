using System;
using NasGen.Bench201;
using NasGen.Evaluation;

if (Array.Exists(args, a => a is "--help" or "-h"))
{
    Console.WriteLine(BenchmarkOptions.Help);
    return 0;
}
try
{
    var options = BenchmarkOptions.Parse(args);
    Console.WriteLine(Benchmark.Run(options, Console.Out));
    Console.WriteLine($"Wrote {System.IO.Path.GetFullPath(options.Out)}/results.md and regret.png.");
    return 0;
}
catch (Exception e) when (e is ArgumentException or TabularDataException or System.Collections.Generic.KeyNotFoundException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
