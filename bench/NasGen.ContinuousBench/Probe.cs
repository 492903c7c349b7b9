using System;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen.Strategies;

namespace NasGen.ContinuousBench;

/// <summary>Tells TPE fixed Hartmann-6 observations and prints one proposal per seed (to compare with Optuna's).</summary>
public static class Probe
{
    /// <summary>Writes one proposal per seed to <paramref name="outPath"/>.</summary>
    public static int Run(string observationsPath, int seeds, string mode, string outPath)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = File.ReadAllLines(observationsPath).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, inv)).ToArray()).ToList();
        using var output = new StreamWriter(outPath);
        for (int seed = 0; seed < seeds; seed++)
        {
            var tpe = new TreeParzenEstimator<Hartmann6.Architecture>(Hartmann6.Space, new TreeParzenEstimatorOptions { Multivariate = mode == "mv", WeighKernelsByWidth = mode != "uv-norm" }, seed);
            foreach (var row in rows)
            {
                var architecture = Hartmann6.Space.Decode(new int[6], row[..6]);
                tpe.Tell(new Suggestion<Hartmann6.Architecture>(architecture), new TrialOutcome(-row[6]));
            }
            var proposal = tpe.Ask()!.Architecture;
            var numbers = new double[6];
            Hartmann6.Space.EncodeNumbers(proposal, numbers);
            output.WriteLine(string.Join(",", numbers.Select(v => v.ToString("R", inv))));
        }
        return 0;
    }
}
