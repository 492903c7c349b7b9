using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen.Strategies;

namespace NasGen.Bench201;

/// <summary>The benchmark command's options.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>The table (CSV). Default: <c>../shared/data/nb201/nb201-cifar10.csv</c> relative to the repository root.</summary>
    public string Data { get; init; } = DefaultDataPath();

    /// <summary>The column holding the official arch string.</summary>
    public string Key { get; init; } = "arch";

    /// <summary>The fitness column (what strategies see, maximised).</summary>
    public string Fitness { get; init; } = "cifar10_valid_acc_12ep";

    /// <summary>The reported column (never seen by strategies).</summary>
    public string ReportColumn { get; init; } = "cifar10_test_acc";

    /// <summary>Cost column for a simulated-time budget, or null.</summary>
    public string? Cost { get; init; }

    /// <summary>Factor applied to the cost column (e.g. 0.06 = 12/200 epochs).</summary>
    public double CostScale { get; init; } = 1.0;

    /// <summary>Columns minimised against fitness in the multi-objective mode (one two-objective benchmark each).</summary>
    public IReadOnlyList<string> Objectives { get; init; } = [];

    /// <summary>Seeds per strategy.</summary>
    public int Seeds { get; init; } = 100;

    /// <summary>Queries per single-objective search.</summary>
    public int Queries { get; init; } = 100;

    /// <summary>Queries per multi-objective search.</summary>
    public int MultiObjectiveQueries { get; init; } = 200;

    /// <summary>Simulated seconds per single-objective search (needs <see cref="Cost"/>), or null for a query budget.</summary>
    public double? Seconds { get; init; }

    /// <summary>Strategies, by factory name.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = BenchmarkRunner.DefaultStrategies;

    /// <summary>Output folder (markdown and PNGs).</summary>
    public string Out { get; init; } = "artifacts/nb201";

    /// <summary>The command-line help.</summary>
    public const string Help = """
        NasGen NAS-Bench-201 benchmark: every strategy, many seeds, a tabular lookup per query.

          --data PATH          CSV table (default ../shared/data/nb201/nb201-cifar10.csv from the repository root)
          --key COLUMN         column with the official arch string (default arch)
          --fitness COLUMN     fitness the strategies maximise (default cifar10_valid_acc_12ep)
          --report COLUMN      metric reported for the chosen architecture (default cifar10_test_acc)
          --cost COLUMN        simulated training seconds per query (needed by --seconds)
          --cost-scale X       factor on the cost column, e.g. 0.06 for 12 of 200 epochs (default 1)
          --seconds S          simulated-time budget per search (needs --cost), instead of --queries
          --objectives A,B     multi-objective mode: fitness against each column (minimised)
          --seeds R            seeds per strategy (default 100)
          --queries Q          queries per search (default 100)
          --mo-queries Q       queries per multi-objective search (default 200)
          --strategies A,B     strategies (default: every factory strategy, and rea)
          --out DIR            output folder (default artifacts/nb201)
        """;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> with a clear message.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchmarkOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            string[] List() => Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new ArgumentException($"{name} needs a positive integer, not '{args[i]}'.");
            double Real() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? v
                : throw new ArgumentException($"{name} needs a positive number, not '{args[i]}'.");
            o = name switch
            {
                "--data" => o with { Data = Value() },
                "--key" => o with { Key = Value() },
                "--fitness" => o with { Fitness = Value() },
                "--report" => o with { ReportColumn = Value() },
                "--cost" => o with { Cost = Value() },
                "--cost-scale" => o with { CostScale = Real() },
                "--seconds" => o with { Seconds = Real() },
                "--objectives" => o with { Objectives = List() },
                "--seeds" => o with { Seeds = Int() },
                "--queries" => o with { Queries = Int() },
                "--mo-queries" => o with { MultiObjectiveQueries = Int() },
                "--strategies" => o with { Strategies = List() },
                "--out" => o with { Out = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'. Run with --help for the options."),
            };
        }
        if (o.Seconds is not null && o.Cost is null) throw new ArgumentException("--seconds needs --cost (the column of simulated training seconds).");
        foreach (string s in o.Strategies)
        {
            // Fail before loading anything when a name is wrong.
            var probe = BenchmarkRunner.CreateStrategy(s, 0);
            (probe as IDisposable)?.Dispose();
        }
        return o;
    }

    /// <summary>The default table: <c>../shared/data/nb201/nb201-cifar10.csv</c> from the folder that holds NasGen.sln.</summary>
    public static string DefaultDataPath()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NasGen.sln"))) dir = dir.Parent;
        string root = dir?.FullName ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "nb201", "nb201-cifar10.csv"));
    }
}
