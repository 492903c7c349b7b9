using System;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace NasGen.Benchmarks.Core;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "paired-training")
        {
            PairedTraining.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200);
            return;
        }
        if (args.Length > 0 && args[0] == "generator-cpu")
        {
            GeneratorCpuTime.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
    }
}
