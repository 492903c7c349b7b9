using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NasGen.Data;
using NasGen.DigitsSearch;
using NasGen.Evaluation;

namespace NasGen.IntegrationTests;

/// <summary>The README's main job, run as users run it (a child process) on a small budget.</summary>
public sealed class MainJobTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "nasgen-main-job-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public void Runs_end_to_end_and_resumes_instead_of_starting_over()
    {
        var (exit, output) = Run("--trials 3 --epochs 1 --final-epochs 1");
        Assert.True(exit == 0, output);
        foreach (string file in new[] { "experiment.db", "best-so-far.png", "trials.png", "pareto-front.png", "summary.md", "best.arch.json", "BestDigitsNet.cs", "final.json" })
            Assert.True(File.Exists(Path.Combine(_out, file)), $"{file} missing\n{output}");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(_out, "trials.png")).Take(4));
        var best = DigitsNet.Architecture.FromJson(File.ReadAllText(Path.Combine(_out, "best.arch.json")));
        Assert.Contains(best.ToString(), output);
        // The exported source compiles without NasGen and has the searched network's state_dict keys.
        var exported = Export.ExportCompiler.Compile([File.ReadAllText(Path.Combine(_out, "BestDigitsNet.cs"))]);
        using (var network = Export.ExportCompiler.Create(exported.GetType("MyApp.Models.BestDigitsNet")!))
        using (var searched = new DigitsNet(best))
            Assert.Equal(searched.state_dict().Keys.Order(), network.state_dict().Keys.Order());
        Assert.Equal(3, CountFinishedTrials());

        // Same command again: the three trials are replayed from the store, none is trained again.
        (exit, output) = Run("--trials 3 --epochs 1 --final-epochs 1");
        Assert.True(exit == 0, output);
        Assert.Contains("3 finished trials replayed, 0 to run again", output);
        Assert.Equal(3, CountFinishedTrials());

        // --fresh starts over.
        (exit, output) = Run("--trials 2 --epochs 1 --final-epochs 1 --fresh");
        Assert.True(exit == 0, output);
        Assert.Equal(2, CountFinishedTrials());
    }

    [Fact]
    public void Saves_the_winners_weights_which_the_exported_class_loads_strictly_and_a_rerun_reuses()
    {
        var (exit, output) = Run("--trials 2 --epochs 1 --final-epochs 2");
        Assert.True(exit == 0, output);
        string weights = Path.Combine(_out, "BestDigitsNet.weights");
        Assert.True(File.Exists(weights), output);
        using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "final.json")));
        double reported = final.RootElement.GetProperty("testAccuracy").GetDouble();
        Assert.Equal("BestDigitsNet.weights", final.RootElement.GetProperty("weights").GetString());

        // An application's view: the exported class compiled without NasGen, the weights loaded strictly, the
        // main job's test split (digits, seed 1) scored: exactly the accuracy the job reported.
        var exported = Export.ExportCompiler.Compile([File.ReadAllText(Path.Combine(_out, "BestDigitsNet.cs"))]);
        using (var network = Export.ExportCompiler.Create(exported.GetType("MyApp.Models.BestDigitsNet")!))
        using (var digits = Datasets.Digits())
        using (var split = digits.Split(trainFraction: 0.7, validationFraction: 0.15, seed: 1))
        {
            network.load(weights, strict: true);
            Assert.Equal(reported, ClassificationTrainer<DigitsNet.Architecture>.Score(network, split.Test).Accuracy);
            Assert.True(reported > 0.5, $"two epochs of retraining should pass 50 % on digits, got {reported:P1}");
        }

        // Same command again: nothing left to search, and the saved weights are reused instead of retrained.
        DateTime savedAt = File.GetLastWriteTimeUtc(weights);
        (exit, output) = Run("--trials 2 --epochs 1 --final-epochs 2");
        Assert.True(exit == 0, output);
        Assert.Contains("Reused the retrained weights in BestDigitsNet.weights", output);
        Assert.Contains($"{reported:P2}", output);
        Assert.Equal(savedAt, File.GetLastWriteTimeUtc(weights));

        // Another recipe is another model: retrained, not reused.
        (exit, output) = Run("--trials 2 --epochs 1 --final-epochs 1");
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("Reused", output);
    }

    [Fact]
    public void Strategy_device_and_fitness_are_options_and_bad_values_are_refused_clearly()
    {
        var (exit, output) = Run("--trials 2 --epochs 2 --final-epochs 1 --strategy random --device cpu --fitness last-epoch --keep-weights 1");
        Assert.True(exit == 0, output);
        Assert.Contains("strategy random, fitness LastEpoch, on cpu", output);
        // The experiment tells the trainer each trial's number: the best trial's weights are kept under it.
        string[] kept = Directory.GetFiles(Path.Combine(_out, "weights"), "*.weights");
        Assert.Single(kept);
        Assert.Matches(@"trial-[01]\.weights$", kept[0]);   // trial numbers count from 0
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_out, "experiment.db")};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM nasgen_experiments";
            Assert.Equal("digitsnet-digits-random-last-epoch", command.ExecuteScalar());
        }

        (exit, output) = Run("--strategy annealing");
        Assert.NotEqual(0, exit);
        Assert.Contains("annealing", output);
        Assert.Contains("hyperband", output);   // the accepted names are listed

        (exit, output) = Run("--device gpu0");
        Assert.Equal(2, exit);
        Assert.Contains("use cpu, cuda or cuda:N", output);

        // This build references TorchSharp-cpu: CUDA is refused with the reason instead of failing inside libtorch.
        (exit, output) = Run("--device cuda:1");
        Assert.Equal(2, exit);
        Assert.Contains("CUDA is not available here", output);
    }

    [Fact]
    public void Interrupt_stops_cleanly_and_the_next_run_resumes()
    {
        var start = Start("--trials 6 --epochs 3 --final-epochs 1");
        string seen = "";
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!seen.Contains("trials 1/6") && DateTime.UtcNow < deadline && !start.HasExited)
        {
            Thread.Sleep(200);
            seen = start.Output();
        }
        Assert.Contains("trials 1/6", seen);
        Assert.Equal(0, kill(start.Process.Id, 2)); // SIGINT, as Ctrl-C sends
        Assert.True(start.Process.WaitForExit(60_000), "the job did not stop after Ctrl-C");
        start.Process.WaitForExit(); // drains the redirected output
        Assert.True(start.Process.ExitCode == 130, start.Output());
        Assert.True(start.Output().Contains("Run the same command to resume"), start.Output());
        int finished = CountFinishedTrials();
        Assert.InRange(finished, 1, 5);

        var (exit, output) = Run("--trials 6 --epochs 3 --final-epochs 1");
        Assert.True(exit == 0, output);
        Assert.Contains($"{finished} finished trials replayed", output);
        Assert.Equal(6, CountFinishedTrials());
    }

    [Fact]
    public void Interrupt_during_the_final_retraining_says_what_was_kept()
    {
        var start = Start("--trials 1 --epochs 1 --final-epochs 500");
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (!start.Output().Contains("Retraining the best") && DateTime.UtcNow < deadline && !start.HasExited) Thread.Sleep(200);
        Assert.True(start.Output().Contains("Retraining the best"), start.Output());
        Assert.Equal(0, kill(start.Process.Id, 2)); // SIGINT, as Ctrl-C sends
        Assert.True(start.Process.WaitForExit(60_000), "the job did not stop after Ctrl-C");
        start.Process.WaitForExit();
        Assert.True(start.Process.ExitCode == 130, start.Output());
        Assert.Contains("Stopped during the final retraining", start.Output());
        Assert.Contains("Run the same command", start.Output());
        foreach (string kept in new[] { "summary.md", "best.arch.json", "BestDigitsNet.cs" })
            Assert.True(File.Exists(Path.Combine(_out, kept)), $"{kept} missing\n{start.Output()}");
        Assert.False(File.Exists(Path.Combine(_out, "final.json")));
        Assert.Equal(1, CountFinishedTrials());
    }

    [Fact]
    public void The_default_dataset_is_the_embedded_fashion_subset_and_the_baseline_is_retrained_the_same_way()
    {
        var (exit, output) = Run("--dataset fashion-small --trials 3 --epochs 1 --final-epochs 1 --search-examples 300 --baseline");
        Assert.True(exit == 0, output);
        // At least 2,000 validation images: the issue's bar for telling architectures apart.
        Assert.Contains("on fashion-small: 7799 training / 2201 validation / 2000 test images", output);
        Assert.Matches(@"Median trial: validation accuracy [0-9.]+ %", output);
        Assert.Matches(@"Retraining the median random architecture \(trial [0-2], validation accuracy", output);
        Assert.Matches(@"Test accuracy of the median random architecture: [0-9.]+ %", output);
        using var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "final.json")));
        Assert.Equal("fashion-small", final.RootElement.GetProperty("dataset").GetString());
        Assert.Equal(2000, final.RootElement.GetProperty("testExamples").GetInt64());
        // Ten classes: even one epoch on 300 images beats guessing (10 %).
        Assert.True(final.RootElement.GetProperty("testAccuracy").GetDouble() > 0.2, output);

        (exit, output) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("[default: fashion-small]", output);
    }

    [Fact]
    public void Bad_input_gets_a_clear_message()
    {
        var (exit, output) = Run("--dataset cifar100");
        Assert.NotEqual(0, exit);
        Assert.Contains("cifar100", output);

        (exit, output) = Run("--dataset mnist --data " + Path.Combine(_out, "no-such-folder"));
        Assert.Equal(2, exit);
        Assert.Contains("eng/fetch-data.sh mnist", output);

        // A store of another space in the output folder: refused, named, and left alone.
        Directory.CreateDirectory(_out);
        string store = Path.Combine(_out, "experiment.db");
        File.WriteAllText(store, "not a database");
        (exit, output) = Run("--trials 1 --epochs 1");
        Assert.Equal(3, exit);
        Assert.Contains(store, output);
        Assert.Equal("not a database", File.ReadAllText(store));
    }

    private int CountFinishedTrials()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_out, "experiment.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM nasgen_trials WHERE status IN (2, 3)"; // TrialStatus.Completed, Failed
        return Convert.ToInt32(command.ExecuteScalar());
    }

    private (int Exit, string Output) Run(string arguments)
    {
        var child = Start(arguments);
        Assert.True(child.Process.WaitForExit(600_000), "the main job ran past 10 minutes");
        child.Process.WaitForExit();
        return (child.Process.ExitCode, child.Output());
    }

    private ChildProcess Start(string arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "NasGen.DigitsSearch.dll");
        // The small digits keep these tests fast; the default dataset has its own test.
        string dataset = arguments.Contains("--dataset") ? "" : "--dataset digits ";
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --out \"{_out}\" {dataset}{arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        return new ChildProcess(Process.Start(info)!);
    }

    private sealed class ChildProcess
    {
        private readonly System.Text.StringBuilder _output = new();

        public ChildProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public bool HasExited => Process.HasExited;

        public string Output()
        {
            lock (_output) return _output.ToString();
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
