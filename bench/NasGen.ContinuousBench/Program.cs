using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NasGen.ContinuousBench;
using NasGen.Strategies;

const string help = """
    NasGen continuous and mixed benchmark: Branin, Hartmann-6 and mixed Hartmann-6, every strategy, many seeds.

      --seeds R            seeds per strategy (default 50)
      --evaluations N      evaluations per search (default 100)
      --problems A,B       problems (default branin,hartmann6,hartmann6-mixed)
      --strategies A,B     strategies (default: every factory strategy, and rea); refusals are listed
      --out DIR            output folder for results.md and regrets.csv (default artifacts/continuous)

      --probe OBSERVATIONS SEEDS uv|uv-norm|mv OUT
                           tell tpe (univariate, univariate with normalised kernels, or multivariate) the Hartmann-6
                           observations of a CSV file (x1..x6,value) and write one proposal per seed to OUT, to compare
                           with bench/optuna/tpe_probe.py
    """;

if (args.Length == 5 && args[0] == "--probe") return Probe.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4]);
int seeds = 50, evaluations = 100;
var problemNames = Problems.All.Select(p => p.Name).ToList();
IReadOnlyList<string> strategies = [.. SearchStrategies.Names, "rea"];
string outDir = "artifacts/continuous";
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string name = args[i];
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
        int Positive() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw new ArgumentException($"{name} needs a positive integer, not '{args[i]}'.");
        List<string> List() => [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        switch (name)
        {
            case "--help" or "-h": Console.WriteLine(help); return 0;
            case "--seeds": seeds = Positive(); break;
            case "--evaluations": evaluations = Positive(); break;
            case "--problems": problemNames = List(); break;
            case "--strategies": strategies = List(); break;
            case "--out": outDir = Value(); break;
            default: throw new ArgumentException($"Unknown option '{name}'. Run with --help for the options.");
        }
    }
    var unknown = problemNames.Where(n => Problems.All.All(p => p.Name != n)).ToList();
    if (unknown.Count > 0)
        throw new ArgumentException($"Unknown problem {string.Join(", ", unknown)}. Known problems: {string.Join(", ", Problems.All.Select(p => p.Name))}.");
    foreach (string s in strategies) // fail early on a wrong name; a refusal of the space is reported per problem
    {
        try { (Problem<Branin.Architecture>.CreateStrategy(s, Branin.Space, 0) as IDisposable)?.Dispose(); }
        catch (NotSupportedException) { }
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

TorchSharp.torch.set_num_threads(1); // REINFORCE's tiny policy: threads only contend with the parallel seeds
var inv = CultureInfo.InvariantCulture;
var md = new StringBuilder();
var csv = new StringBuilder("problem,strategy,seed,regret\n");
md.AppendLine(inv, $"{evaluations} evaluations, {seeds} seeds; simple regret (best value evaluated − minimum): median, quartiles.").AppendLine();
foreach (var problem in Problems.All.Where(p => problemNames.Contains(p.Name)))
{
    var results = new List<StrategyResult>();
    var refusals = new List<Refusal>();
    foreach (string strategy in strategies)
    {
        var (result, refusal) = problem.Run(strategy, seeds, evaluations);
        if (refusal is not null)
        {
            refusals.Add(refusal);
            Console.WriteLine($"{problem.Name} {strategy}: refused");
            continue;
        }
        results.Add(result!);
        Console.WriteLine(string.Create(inv, $"{problem.Name} {strategy}: median {result!.Median:G4} [{result.LowerQuartile:G4}, {result.UpperQuartile:G4}] ({result.Elapsed.TotalSeconds:F1} s)"));
        for (int s = 0; s < result.Regrets.Length; s++) csv.AppendLine(inv, $"{problem.Name},{strategy},{s},{result.Regrets[s]:R}");
    }
    md.AppendLine(inv, $"### {problem.Name} (minimum {problem.Minimum:R})").AppendLine();
    md.AppendLine("| strategy | median | 25 % | 75 % | evaluations (mean) | time (s) |");
    md.AppendLine("|---|---|---|---|---|---|");
    foreach (var r in results.OrderBy(r => r.Median))
        md.AppendLine(inv, $"| {r.Strategy} | {r.Median:G4} | {r.LowerQuartile:G4} | {r.UpperQuartile:G4} | {r.MeanEvaluations:F1} | {r.Elapsed.TotalSeconds:F1} |");
    md.AppendLine();
    if (refusals.Count > 0)
    {
        md.AppendLine(inv, $"Refused the space: {string.Join(", ", refusals.Select(r => r.Strategy))}.").AppendLine();
        foreach (var r in refusals.DistinctBy(r => r.Reason)) Console.WriteLine($"  {r.Strategy}: {r.Reason}");
    }
}
Directory.CreateDirectory(outDir);
File.WriteAllText(Path.Combine(outDir, "results.md"), md.ToString());
File.WriteAllText(Path.Combine(outDir, "regrets.csv"), csv.ToString());
Console.WriteLine(md);
Console.WriteLine($"Wrote {Path.GetFullPath(outDir)}/results.md and regrets.csv.");
return 0;
