using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using NasGen.Data;

namespace NasGen.IntegrationTests;

/// <summary>
/// Generated bad inputs through the real main job and the real nasgen tool (child processes) and the dataset loaders
/// (in-process). For each: the exit code of docs/experiments.md's table, one line on stderr naming the input, no stack
/// trace, and every input file byte-identical afterwards.
/// </summary>
public sealed class BadInputCorpusTests : IDisposable
{
    // Exit codes of docs/experiments.md.
    private const int JobBadInput = 2, JobStoreRefused = 3, CliFailure = 1;

    // Child processes at once: enough to hide process start-up, few enough for a 2-core CI machine.
    private const int Parallelism = 3;

    private static readonly string JobDll = Path.Combine(AppContext.BaseDirectory, "NasGen.DigitsSearch.dll");
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "NasGen.Cli.dll");

    private readonly string _root = Directory.CreateTempSubdirectory("nasgen-bad-input-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A process run: its arguments, the exit code expected, text stderr must contain, and the files it must leave alone.</summary>
    /// <remarks>
    /// With <paramref name="StoreData"/>, the inputs are stores the job opens as their writer before it can refuse them
    /// (a resume with other settings, a damaged row): the open records the writer in the metadata table, so these are
    /// compared by their data (every row of every table but that record), not byte for byte.
    /// </remarks>
    private sealed record ProcessCase(string Name, string Dll, string[] Args, int Exit, string Names, string[] Inputs, string? AlsoNames = null, bool StoreData = false);

    // ---------------------------------------------------------------- loaders (in-process)

    private static readonly byte[] ImagePixels = Enumerable.Range(0, 3 * 28 * 28).Select(i => (byte)(i * 7 % 256)).ToArray();
    private static readonly byte[] LabelBytes = { 7, 0, 9 };

    private static byte[] Idx(byte rank, int[] shape, byte[] data)
    {
        var bytes = new byte[4 + 4 * rank + data.Length];
        bytes[2] = 0x08;
        bytes[3] = rank;
        for (int d = 0; d < rank; d++)
            for (int b = 0; b < 4; b++)
                bytes[4 + 4 * d + b] = (byte)(shape[d] >> (24 - 8 * b));
        data.CopyTo(bytes, 4 + 4 * rank);
        return bytes;
    }

    private static byte[] ValidImages() => Idx(3, new[] { 3, 28, 28 }, ImagePixels);

    private static byte[] ValidLabels() => Idx(1, new[] { 3 }, LabelBytes);

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(content);
        return buffer.ToArray();
    }

    /// <summary>A header field: where it is, how wide, and what it is called in the case name.</summary>
    private sealed record HeaderField(string Name, int Offset, int Width);

    /// <summary>Every header field of both files set to 0, 1, -1, the largest and the smallest signed value (where that changes it).</summary>
    private static IEnumerable<(string Name, byte[] Images, byte[] Labels)> HeaderVariants()
    {
        var imageFields = new[] { new HeaderField("zero-bytes", 0, 2), new HeaderField("type", 2, 1), new HeaderField("rank", 3, 1),
            new HeaderField("count", 4, 4), new HeaderField("rows", 8, 4), new HeaderField("columns", 12, 4) };
        var labelFields = new[] { new HeaderField("zero-bytes", 0, 2), new HeaderField("type", 2, 1), new HeaderField("rank", 3, 1), new HeaderField("count", 4, 4) };
        foreach (var (file, fields) in new[] { ("images", imageFields), ("labels", labelFields) })
            foreach (var field in fields)
                foreach (var (valueName, value) in FieldValues(field.Width))
                {
                    byte[] images = ValidImages(), labels = ValidLabels();
                    byte[] target = file == "images" ? images : labels;
                    if (target.AsSpan(field.Offset, field.Width).SequenceEqual(value)) continue;
                    value.CopyTo(target, field.Offset);
                    yield return ($"{file} {field.Name}={valueName}", images, labels);
                }
    }

    private static IEnumerable<(string Name, byte[] Bytes)> FieldValues(int width)
    {
        byte[] Fill(byte first, byte rest) => Enumerable.Range(0, width).Select(i => i == 0 ? first : rest).ToArray();
        yield return ("0", Fill(0, 0));
        yield return ("1", Enumerable.Range(0, width).Select(i => (byte)(i == width - 1 ? 1 : 0)).ToArray());
        yield return ("-1", Fill(0xFF, 0xFF));
        yield return ("max", Fill(0x7F, 0xFF));
        yield return ("min", Fill(0x80, 0x00));
    }

    /// <summary>Both files cut at every offset of their header (and a few inside the data).</summary>
    private static IEnumerable<(string Name, byte[] Images, byte[] Labels)> Truncations()
    {
        byte[] images = ValidImages(), labels = ValidLabels();
        foreach (int length in Enumerable.Range(0, 17).Concat(new[] { 17, 16 + 784, images.Length - 1 }))
            yield return ($"images cut to {length} bytes", images[..length], labels);
        foreach (int length in Enumerable.Range(0, 9).Concat(new[] { 10 }))
            yield return ($"labels cut to {length} bytes", images, labels[..length]);
        yield return ("images one byte longer", [.. images, 0], labels);
        yield return ("labels one byte longer", images, [.. labels, 0]);
    }

    /// <summary>Contents no header check alone catches: overflowing dimensions, other image sizes, bad labels, mismatched counts.</summary>
    private static IEnumerable<(string Name, byte[] Images, byte[] Labels)> Semantic()
    {
        yield return ("dimensions 16 x 2^30 x 2^30", Idx(3, new[] { 16, 1 << 30, 1 << 30 }, ImagePixels), ValidLabels());
        yield return ("dimensions 2^31-1 cubed", Idx(3, new[] { int.MaxValue, int.MaxValue, int.MaxValue }, ImagePixels), ValidLabels());
        yield return ("dimensions 65536 x 65536 x 1", Idx(3, new[] { 65536, 65536, 1 }, ImagePixels), ValidLabels());
        yield return ("labels count 2^31-1", ValidImages(), Idx(1, new[] { int.MaxValue }, LabelBytes));
        yield return ("images of 2x2", Idx(3, new[] { 3, 2, 2 }, ImagePixels[..12]), ValidLabels());
        yield return ("images of 27x28", Idx(3, new[] { 3, 27, 28 }, ImagePixels[..(3 * 27 * 28)]), ValidLabels());
        yield return ("images of 28x29", Idx(3, new[] { 3, 28, 29 }, [.. ImagePixels, .. new byte[3 * 28]]), ValidLabels());
        yield return ("images of 784x1", Idx(3, new[] { 3, 784, 1 }, ImagePixels), ValidLabels());
        yield return ("label 10", ValidImages(), Idx(1, new[] { 3 }, new byte[] { 7, 10, 9 }));
        yield return ("label 255", ValidImages(), Idx(1, new[] { 3 }, new byte[] { 255, 0, 9 }));
        yield return ("3 images, 2 labels", ValidImages(), Idx(1, new[] { 2 }, LabelBytes[..2]));
        yield return ("images where labels belong", ValidLabels(), ValidImages());
    }

    [Fact]
    public void Every_bad_data_file_is_a_DatasetException_naming_it_and_changes_nothing()
    {
        var variants = HeaderVariants().Concat(Truncations()).Concat(Semantic()).ToArray();
        var failures = new List<string>();
        int cases = 0;
        foreach (var (name, images, labels) in variants)
            foreach (bool gzip in new[] { false, true })
            {
                string folder = Path.Combine(_root, "idx", $"{cases++}");
                Directory.CreateDirectory(folder);
                string imagesPath = Path.Combine(folder, "train-images-idx3-ubyte" + (gzip ? ".gz" : ""));
                string labelsPath = Path.Combine(folder, "train-labels-idx1-ubyte" + (gzip ? ".gz" : ""));
                File.WriteAllBytes(imagesPath, gzip ? Gzip(images) : images);
                File.WriteAllBytes(labelsPath, gzip ? Gzip(labels) : labels);
                failures.AddRange(CheckLoader($"{name}{(gzip ? " (gzip)" : "")}", folder, imagesPath, labelsPath));
            }

        foreach (var (name, imagesGz) in GzipCorruptions())
        {
            string folder = Path.Combine(_root, "idx", $"{cases++}");
            Directory.CreateDirectory(folder);
            string imagesPath = Path.Combine(folder, "train-images-idx3-ubyte.gz");
            string labelsPath = Path.Combine(folder, "train-labels-idx1-ubyte");
            File.WriteAllBytes(imagesPath, imagesGz);
            File.WriteAllBytes(labelsPath, ValidLabels());
            failures.AddRange(CheckLoader(name, folder, imagesPath, labelsPath));
        }

        Assert.True(cases >= 150, $"only {cases} generated data files");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} bad data files were mishandled:\n" + string.Join("\n", failures));
    }

    private static IEnumerable<(string Name, byte[] Gzip)> GzipCorruptions()
    {
        byte[] good = Gzip(ValidImages());
        foreach (int cut in new[] { 2, 10, 11, 20, good.Length / 2 })
            yield return ($"gzip stream cut to {cut} bytes", good[..cut]);
        byte[] flipped = good.ToArray();
        flipped[12] ^= 0xFF;
        yield return ("gzip stream with a flipped byte", flipped);
        yield return ("gzip bomb: 3 images declared, 256 MiB inside", Bomb(new[] { 3, 28, 28 }, 256));
        yield return ("gzip bomb: 2^31-1 images declared, 64 MiB inside", Bomb(new[] { int.MaxValue, 28, 28 }, 64));
    }

    private static byte[] Bomb(int[] shape, int mebibytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Idx(3, shape, []));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < mebibytes; i++) gzip.Write(zeros);
        }
        return buffer.ToArray();
    }

    private static IEnumerable<string> CheckLoader(string name, string folder, string imagesPath, string labelsPath)
    {
        var before = Hashes(imagesPath, labelsPath);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        string? failure;
        try
        {
            using var data = Datasets.Mnist(folder);
            failure = "loaded without an error";
        }
        catch (DatasetException e)
        {
            failure = !e.Message.Contains(imagesPath, StringComparison.Ordinal) && !e.Message.Contains(labelsPath, StringComparison.Ordinal)
                ? $"the message names neither file: {e.Message}"
                : e.Message.Contains('\n') ? $"the message is not one line: {e.Message}" : null;
        }
        catch (Exception e)
        {
            failure = $"{e.GetType().Name} instead of DatasetException: {e.Message}";
        }
        // Files are a few KB: a loader that reads more than 64 MiB follows a header's word, not the file's size.
        long read = GC.GetAllocatedBytesForCurrentThread() - allocated;
        if (failure is null && read > 64L << 20) failure = $"allocated {read >> 20} MiB";
        if (failure is null && !before.SequenceEqual(Hashes(imagesPath, labelsPath))) failure = "an input file changed";
        return failure is null ? [] : [$"{name}: {failure}"];
    }

    // ---------------------------------------------------------------- the main job (child processes)

    [Fact]
    public async Task Every_bad_argument_of_the_main_job_is_refused_before_any_work()
    {
        var cases = new List<ProcessCase>();
        string outDir = Path.Combine(_root, "job-out");
        string aFile = Path.Combine(_root, "a-file.txt");
        File.WriteAllText(aFile, "not a folder");
        ProcessCase Job(string name, int exit, string names, string[] args, params string[] inputs) =>
            new(name, JobDll, [.. args.Contains("--out") ? Array.Empty<string>() : ["--out", outDir], .. args], exit, names, [aFile, .. inputs]);

        foreach (string option in new[] { "--trials", "--epochs", "--final-epochs", "--search-examples" })
        {
            foreach (string value in new[] { "0", "-1", int.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                cases.Add(Job($"{option} {value}", JobBadInput, option, [option, value]));
            foreach (string value in new[] { "abc", "", "1.5", "1e3", "99999999999", "0x10", "--" })
                cases.Add(Job($"{option} '{value}'", JobBadInput, option, [option, value]));
            cases.Add(Job($"{option} without a value", JobBadInput, option, [option]));
        }
        foreach (string value in new[] { "abc", "", "1.5", "99999999999" })
            cases.Add(Job($"--seed '{value}'", JobBadInput, "--seed", ["--seed", value]));
        foreach (string value in new[] { "cifar100", "", "MNIST ", "digits;rm -rf /" })
            cases.Add(Job($"--dataset '{value}'", JobBadInput, $"'{value}'", ["--dataset", value]));
        cases.Add(Job("--dataset without a value", JobBadInput, "--dataset", ["--dataset"]));
        cases.Add(Job("--strategy unknown", JobBadInput, "'annealing'", ["--strategy", "annealing"]));
        cases.Add(Job("--fitness unknown", JobBadInput, "'worst-epoch'", ["--fitness", "worst-epoch"]));
        foreach (string device in new[] { "tpu", "", "cuda:", "cuda:-1", "gpu0" })
            cases.Add(Job($"--device '{device}'", JobBadInput, $"--device '{device}'", ["--device", device]));
        // Refused wherever it runs: no CI machine has 100 GPUs (and a CPU build has none).
        cases.Add(Job("--device cuda:99", JobBadInput, "--device cuda:99", ["--device", "cuda:99"]));
        cases.Add(Job("--out without a value", JobBadInput, "--out", ["--trials", "1", "--out"]));
        cases.Add(Job("unknown option", JobBadInput, "--learning-rate", ["--learning-rate", "0.1"]));
        cases.Add(Job("stray argument", JobBadInput, "mnist", ["mnist"]));
        cases.Add(Job("--fresh with a value", JobBadInput, "maybe", ["--fresh", "maybe"]));
        cases.Add(Job("--out is a file", JobBadInput, aFile, ["--out", aFile]));
        cases.Add(Job("--out is under a file", JobBadInput, aFile, ["--out", Path.Combine(aFile, "sub")]));
        cases.Add(Job("a good option then a bad one", JobBadInput, "--epochs", ["--trials", "5", "--epochs", "0", "--seed", "3"]));

        // Data files through the job: named, exit 2, before any store is made.
        foreach (var (name, images, labels) in Semantic().Concat(Truncations().Where((_, i) => i % 4 == 0)))
        {
            string folder = Path.Combine(_root, "job-data", $"{cases.Count}");
            Directory.CreateDirectory(folder);
            string imagesPath = Path.Combine(folder, "train-images-idx3-ubyte"), labelsPath = Path.Combine(folder, "train-labels-idx1-ubyte");
            File.WriteAllBytes(imagesPath, images);
            File.WriteAllBytes(labelsPath, labels);
            cases.Add(Job($"mnist {name}", JobBadInput, folder, ["--dataset", "mnist", "--data", folder], imagesPath, labelsPath));
        }
        cases.Add(Job("--data does not exist", JobBadInput, "eng/fetch-data.sh mnist", ["--dataset", "mnist", "--data", Path.Combine(_root, "nowhere")]));

        // Fewer training images than the 5,000 the search validates on.
        string small = Path.Combine(_root, "job-data", "small");
        Directory.CreateDirectory(small);
        File.WriteAllBytes(Path.Combine(small, "train-images-idx3-ubyte"), ValidImages());
        File.WriteAllBytes(Path.Combine(small, "train-labels-idx1-ubyte"), ValidLabels());
        cases.Add(Job("mnist with 3 training images", JobBadInput, "holds 3 images", ["--dataset", "fashion-mnist", "--data", small],
            Path.Combine(small, "train-images-idx3-ubyte"), Path.Combine(small, "train-labels-idx1-ubyte")));

        Assert.True(cases.Count >= 60, $"only {cases.Count} cases");
        var failures = await RunAll(cases);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} bad main-job inputs were mishandled:\n" + string.Join("\n", failures));
        Assert.False(File.Exists(Path.Combine(outDir, "experiment.db")), "a refused run made a store");
    }

    [Fact]
    public async Task A_resume_with_other_settings_is_refused_naming_the_setting_and_the_store_is_untouched()
    {
        string outDir = Path.Combine(_root, "resume");
        var first = await RunProcess(JobDll, ["--out", outDir, "--trials", "1", "--epochs", "1", "--final-epochs", "1", "--seed", "4"]);
        Assert.True(first.Exit == 0, first.Output + first.Error);
        string store = Path.Combine(outDir, "experiment.db");

        var cases = new List<ProcessCase>
        {
            new("another --seed", JobDll, ["--out", outDir, "--trials", "2", "--epochs", "1", "--seed", "5"], JobStoreRefused, "seed 4 (this run: 5)", [store], StoreData: true),
            new("another --epochs", JobDll, ["--out", outDir, "--trials", "2", "--epochs", "2", "--seed", "4"], JobStoreRefused, "--epochs 1 (this run: 2)", [store], StoreData: true),
            new("another --search-examples", JobDll, ["--out", outDir, "--trials", "2", "--epochs", "1", "--seed", "4", "--search-examples", "100"],
                JobStoreRefused, "--search-examples", [store], StoreData: true),
        };
        // Damaged stores in the output folder, in WAL mode as the job leaves them: refused and named, whatever the damage.
        cases.AddRange(DamagedStores(store, walMode: true));
        // One at a time: they open the same store.
        var failures = new List<string>();
        foreach (var c in cases) failures.AddRange(await Check(c));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // The same damage in a file in rollback-journal mode (a copy made by another tool): refused, its rows untouched.
    [Fact]
    public async Task A_damaged_store_copied_in_rollback_journal_mode_is_refused_and_its_rows_left_as_they_were()
    {
        string outDir = Path.Combine(_root, "journal");
        var first = await RunProcess(JobDll, ["--out", outDir, "--trials", "1", "--epochs", "1", "--final-epochs", "1", "--seed", "4"]);
        Assert.True(first.Exit == 0, first.Output + first.Error);
        var failures = new List<string>();
        foreach (var c in DamagedStores(Path.Combine(outDir, "experiment.db"), walMode: false)) failures.AddRange(await Check(c));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Copies of a job's store, each damaged in one way, in a folder of its own; the job must refuse each (exit 3) naming it.</summary>
    private IEnumerable<ProcessCase> DamagedStores(string store, bool walMode)
    {
        var damages = new[]
        {
            ("without its trials table", "DROP TABLE nasgen_trials;"),
            ("with corrupt metrics_json", "UPDATE nasgen_trials SET metrics_json = '{not json';"),
            ("with a text seed", "UPDATE nasgen_trials SET seed = 'abc';"),
            ("from a future version", "UPDATE nasgen_metadata SET value = '999' WHERE key = 'schema_version';"),
            ("with another space's fingerprint", "UPDATE nasgen_experiments SET space_fingerprint = 'ffff';"),
        };
        for (int i = 0; i < damages.Length; i++)
        {
            var (name, sql) = damages[i];
            string damaged = Copy(store, $"damaged-{(walMode ? "wal" : "journal")}-{i}/experiment.db", sql + (walMode ? " PRAGMA journal_mode=WAL;" : ""));
            yield return new($"a store {name}{(walMode ? "" : " (rollback journal)")}", JobDll,
                ["--out", Path.GetDirectoryName(damaged)!, "--trials", "2", "--epochs", "1", "--seed", "4"], JobStoreRefused, damaged, [damaged], StoreData: true);
        }
    }

    // ---------------------------------------------------------------- the nasgen tool (child processes)

    [Fact]
    public async Task Every_bad_store_and_argument_of_nasgen_is_one_line_and_an_exit_code()
    {
        string valid = await MakeValidStore();
        var stores = BadStores(valid).ToList();
        var cases = new List<ProcessCase>();
        // Every bad store through the verbs that read it differently (all experiments, one experiment, one trial's
        // JSON); every fourth also through compare (a bad store second, next to a good one).
        for (int i = 0; i < stores.Count; i++)
        {
            var (name, path, names) = stores[i];
            string[] inputs = File.Exists(path) ? [path] : [];
            cases.Add(new($"list {name}", CliDll, ["list", path], CliFailure, names, inputs));
            cases.Add(new($"status {name}", CliDll, ["status", path, "--json"], CliFailure, names, inputs));
            cases.Add(new($"export {name}", CliDll, ["export", path], CliFailure, names, inputs));
            if (i % 4 == 0) cases.Add(new($"compare {name}", CliDll, ["compare", valid, path], CliFailure, names, [valid, .. inputs]));
        }

        string existing = Path.Combine(_root, "existing.json");
        File.WriteAllText(existing, "{\"keep\": true}");
        string link = Path.Combine(_root, "link-to-store.db");
        File.CreateSymbolicLink(link, valid);
        string folderLink = Path.Combine(_root, "folder-link");
        Directory.CreateSymbolicLink(folderLink, Path.GetDirectoryName(valid)!);
        string otherDb = Path.Combine(_root, "other.sqlite");
        using (var connection = new SqliteConnection($"Data Source={otherDb};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('precious');";
            command.ExecuteNonQuery();
        }
        string plots = Path.Combine(_root, "plots");
        Directory.CreateDirectory(plots);
        File.WriteAllText(Path.Combine(plots, "trials.png"), "an older plot");
        ProcessCase Cli(string name, string names, string[] args, params string[] inputs) => new(name, CliDll, args, CliFailure, names, [valid, .. inputs]);

        cases.Add(Cli("export --out the store itself", "the store being read", ["export", valid, "--out", valid]));
        cases.Add(Cli("export --out the store, --force", "the store being read", ["export", valid, "--out", valid, "--force"]));
        cases.Add(Cli("export --out a link to the store", "the store being read", ["export", valid, "--out", link, "--force"], link));
        cases.Add(Cli("export --out the store through a linked folder", "the store being read",
            ["export", valid, "--out", Path.Combine(folderLink, Path.GetFileName(valid)), "--force"]));
        cases.Add(Cli("export --out the store by a relative path", "the store being read",
            ["export", valid, "--out", Path.Combine(Path.GetDirectoryName(valid)!, "..", Path.GetFileName(Path.GetDirectoryName(valid)!), Path.GetFileName(valid))]));
        cases.Add(Cli("export --out another SQLite database", otherDb, ["export", valid, "--out", otherDb, "--force"], otherDb));
        cases.Add(Cli("export --out an existing file", existing, ["export", valid, "--out", existing], existing));
        cases.Add(Cli("export --out a folder", _root, ["export", valid, "--out", _root]));
        cases.Add(Cli("plot --out over an existing plot", "trials.png", ["plot", valid, "--out", plots], Path.Combine(plots, "trials.png")));
        cases.Add(Cli("plot --out a file", existing, ["plot", valid, "--out", existing], existing));
        cases.Add(Cli("plot --out the store", valid, ["plot", valid, "--out", valid]));
        cases.Add(Cli("pareto with an unknown metric", "nosuchmetric", ["pareto", valid, "--objectives", "nosuchmetric:min"]) with { AlsoNames = "params" });
        cases.Add(Cli("pareto with a second unknown metric", "latency", ["pareto", valid, "--objectives", "fitness:max", "latency:min"]));
        foreach (var (objective, names) in new[] { ("fitness", "'fitness'"), (":max", "':max'"), ("fitness:", "'fitness:'"), ("fitness:up", "'fitness:up'"),
            ("", "objective ''"), ("params:min:max", "'params:min'") })
            cases.Add(Cli($"pareto --objectives '{objective}'", names, ["pareto", valid, "--objectives", objective]));
        foreach (string k in new[] { "0", "-1", "abc", "", "99999999999" })
            cases.Add(Cli($"top -k '{k}'", "-k", ["top", valid, "-k", k]));
        foreach (string trial in new[] { "99", "-1", "abc", "" })
            cases.Add(Cli($"export --trial '{trial}'", trial.Length == 0 || trial == "abc" ? "--trial" : $"trial {trial}", ["export", valid, "--trial", trial]));
        cases.Add(Cli("an unknown experiment", "nosuch", ["status", valid, "--experiment", "nosuch"]));
        cases.Add(Cli("an experiment name with an escape sequence", "\\x1b[31m", ["status", valid, "--experiment", "\u001b[31mred"]));
        cases.Add(Cli("an unknown command", "frobnicate", ["frobnicate", valid]));
        cases.Add(Cli("an unknown option", "--nosuch", ["list", valid, "--nosuch"]));
        cases.Add(Cli("no command", "command", []));
        cases.Add(Cli("a missing store argument", "status", ["status"]));
        cases.Add(Cli("compare with one store", "compare", ["compare", valid]));
        cases.Add(Cli("plot without --out", "--out", ["plot", valid]));

        // Not errors: a store whose names hold terminal escapes is listed with the escapes made visible.
        string hostile = Copy(valid, "hostile.db", "UPDATE nasgen_experiments SET name = char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || 'evil' || char(8238) || 'txt';");
        foreach (string verb in new[] { "list", "status", "top", "export" })
            cases.Add(new($"{verb} of a store with escape sequences in names", CliDll, [verb, hostile], 0, "", [hostile]));

        Assert.True(cases.Count >= 90, $"only {cases.Count} cases");
        var failures = await RunAll(cases);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} bad nasgen inputs were mishandled:\n" + string.Join("\n", failures));
        Assert.Equal("{\"keep\": true}", File.ReadAllText(existing));
    }

    /// <summary>A real store: the main job's own, from a one-trial search.</summary>
    private async Task<string> MakeValidStore()
    {
        string outDir = Path.Combine(_root, "valid");
        var run = await RunProcess(JobDll, ["--out", outDir, "--trials", "2", "--epochs", "1", "--final-epochs", "1"]);
        Assert.True(run.Exit == 0, run.Output + run.Error);
        return Path.Combine(outDir, "experiment.db");
    }

    /// <summary>Stores nasgen must refuse, made with real SQLite where they are databases: (case name, path, what the error names).</summary>
    private IEnumerable<(string Name, string Path, string Names)> BadStores(string valid)
    {
        string folder = Path.Combine(_root, "stores");
        Directory.CreateDirectory(folder);
        string Write(string name, byte[] content)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllBytes(path, content);
            return path;
        }
        byte[] store = File.ReadAllBytes(valid);

        yield return ("an empty file", Write("empty.db", []), Path.Combine(folder, "empty.db"));
        yield return ("a text file", Write("text.db", "hello, I am not a database\n"u8.ToArray()), Path.Combine(folder, "text.db"));
        yield return ("random bytes", Write("random.db", RandomBytes(8192, 1)), Path.Combine(folder, "random.db"));
        yield return ("zeros", Write("zeros.db", new byte[8192]), Path.Combine(folder, "zeros.db"));
        yield return ("a SQLite header then garbage", Write("header.db", [.. "SQLite format 3\0"u8.ToArray(), .. RandomBytes(4096, 2)]), Path.Combine(folder, "header.db"));
        foreach (int cut in new[] { 50, 100, 4096, store.Length / 2 })
            yield return ($"a store cut to {cut} bytes", Write($"cut-{cut}.db", store[..cut]), Path.Combine(folder, $"cut-{cut}.db"));
        yield return ("a gzip file", Write("store.db.gz", Gzip(store)), Path.Combine(folder, "store.db.gz"));
        yield return ("a foreign SQLite database", Database("foreign.db", "CREATE TABLE people(name TEXT, age INT); INSERT INTO people VALUES ('ada', 36);"), Path.Combine(folder, "foreign.db"));
        yield return ("an empty SQLite database", Database("empty-sqlite.db", "CREATE TABLE t(x); DROP TABLE t;"), Path.Combine(folder, "empty-sqlite.db"));
        yield return ("only a metadata table", Database("metadata-only.db", "CREATE TABLE metadata(key TEXT PRIMARY KEY, value TEXT); INSERT INTO metadata VALUES ('schema_version', '1');"),
            Path.Combine(folder, "metadata-only.db"));
        yield return ("a store without its trials table", Copy(valid, "stores/no-trials.db", "DROP TABLE nasgen_trials;"), Path.Combine(folder, "no-trials.db"));
        yield return ("a store from a future version", Copy(valid, "stores/future.db", "UPDATE nasgen_metadata SET value = '999' WHERE key = 'schema_version';"), Path.Combine(folder, "future.db"));
        yield return ("a store with corrupt metrics_json", Copy(valid, "stores/metrics.db", "UPDATE nasgen_trials SET metrics_json = '{not json';"), Path.Combine(folder, "metrics.db"));
        yield return ("a store with a text seed", Copy(valid, "stores/seed.db", "UPDATE nasgen_trials SET seed = 'abc';"), Path.Combine(folder, "seed.db"));
        yield return ("a store with a bad timestamp", Copy(valid, "stores/time.db", "UPDATE nasgen_experiments SET created_at = 'yesterday';"), Path.Combine(folder, "time.db"));
        yield return ("a folder", Directory.CreateDirectory(Path.Combine(folder, "a-folder.db")).FullName, Path.Combine(folder, "a-folder.db"));
        yield return ("a missing file", Path.Combine(folder, "missing.db"), Path.Combine(folder, "missing.db"));
        yield return ("a missing file named with an escape sequence", Path.Combine(folder, "evil\u001b[2J.db"), Path.Combine(folder, "evil\\x1b[2J.db"));
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string Database(string name, string sql)
    {
        string path = Path.Combine(_root, "stores", name);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return path;
    }

    /// <summary>A copy of <paramref name="source"/> (a consistent one, made by SQLite itself) changed by <paramref name="sql"/>.</summary>
    private string Copy(string source, string name, string sql)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var connection = new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var vacuum = connection.CreateCommand();
            vacuum.CommandText = "VACUUM INTO $path;";
            vacuum.Parameters.AddWithValue("$path", path);
            vacuum.ExecuteNonQuery();
        }
        using var change = new SqliteConnection($"Data Source={path};Pooling=False");
        change.Open();
        using var command = change.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys=OFF; " + sql;
        command.ExecuteNonQuery();
        return path;
    }

    // ---------------------------------------------------------------- running and checking

    private static async Task<List<string>> RunAll(IReadOnlyList<ProcessCase> cases)
    {
        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (c, _) =>
        {
            foreach (string failure in await Check(c)) failures.Add(failure);
        });
        return failures.OrderBy(f => f, StringComparer.Ordinal).ToList();
    }

    private static async Task<IReadOnlyList<string>> Check(ProcessCase c)
    {
        Func<string[], string[]> hashes = c.StoreData ? DataHashes : Hashes;
        var before = hashes(c.Inputs);
        var run = await RunProcess(c.Dll, c.Args);
        var problems = new List<string>();
        if (run.Exit != c.Exit) problems.Add($"exit {run.Exit}, expected {c.Exit}");
        string[] errorLines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (c.Exit != 0)
        {
            if (errorLines.Length != 1) problems.Add($"{errorLines.Length} lines on stderr, expected one");
            if (!run.Error.Contains(c.Names, StringComparison.Ordinal)) problems.Add($"stderr does not name '{c.Names}'");
            if (c.AlsoNames is { } also && !run.Error.Contains(also, StringComparison.Ordinal)) problems.Add($"stderr does not name '{also}'");
        }
        else if (errorLines.Length != 0)
        {
            problems.Add("stderr is not empty");
        }
        string all = run.Output + run.Error;
        if (all.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)) problems.Add("an unhandled exception");
        if (all.Contains("   at ", StringComparison.Ordinal)) problems.Add("a stack trace");
        if (all.Any(ch => ch is '\u001b' or '\u0007' or '\u0008' or '\u202e')) problems.Add("a raw control character in the output");
        if (!before.SequenceEqual(hashes(c.Inputs))) problems.Add(c.StoreData ? "a stored row changed" : "an input file changed");
        return problems.Count == 0 ? []
            : [$"{c.Name} ({string.Join(" ", c.Args.Select(a => $"'{a}'"))}): {string.Join("; ", problems)}\n    stderr: {run.Error.Trim()}"];
    }

    private static async Task<(int Exit, string Output, string Error)> RunProcess(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{dll} {string.Join(" ", args)}' ran past 5 minutes");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A hash per store of every row of every table, leaving out the writer the last open recorded.</summary>
    private static string[] DataHashes(params string[] stores) => stores.Select(store =>
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var rows = new System.Text.StringBuilder();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        foreach (string table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = table == "nasgen_metadata" ? "SELECT * FROM nasgen_metadata WHERE key <> 'writer' ORDER BY key;" : $"SELECT * FROM \"{table}\" ORDER BY rowid;";
            using var reader = select.ExecuteReader();
            rows.Append(table).Append('\n');
            while (reader.Read())
                for (int i = 0; i < reader.FieldCount; i++)
                    rows.Append(reader.IsDBNull(i) ? "null" : $"{reader.GetFieldType(i).Name}:{reader.GetValue(i)}").Append(i + 1 < reader.FieldCount ? '|' : '\n');
        }
        return Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rows.ToString())));
    }).ToArray();

    private static string[] Hashes(params string[] files) =>
        files.Select(f => File.Exists(f) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) : "absent").ToArray();
}
