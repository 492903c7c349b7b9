using System.Text;

namespace NasGen.Evaluation;

/// <summary>Which columns of a benchmark table an evaluator reads.</summary>
public sealed record TabularColumns
{
    /// <summary>The column whose values identify architectures (e.g. <c>arch</c>).</summary>
    public required string Key { get; init; }

    /// <summary>The column used as fitness (maximised), e.g. <c>cifar10_valid_acc</c>.</summary>
    public required string Fitness { get; init; }

    /// <summary>A column reported as a metric but never used for search (e.g. the test accuracy), or null.</summary>
    public string? Report { get; init; }

    /// <summary>A column of simulated training seconds, reported as metric <c>cost_s</c>, or null.</summary>
    public string? Cost { get; init; }

    /// <summary>More columns reported as metrics under their own names (objectives of a multi-objective search).</summary>
    public IReadOnlyList<string> Objectives { get; init; } = Array.Empty<string>();
}

/// <summary>A benchmark table that cannot be read: the message names the file, and the line and column where there is one.</summary>
public sealed class TabularDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TabularDataException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Looks architectures up in a tabular benchmark (any CSV with a header row, RFC 4180 quoting) instead of training
/// them. The table is read once, at construction; the key function maps an architecture to its key column's value.
/// </summary>
public sealed class TabularEvaluator<TArchitecture> : IEvaluator<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>The metric name under which the cost column is reported.</summary>
    public const string CostMetric = "cost_s";

    private readonly Func<TArchitecture, string> _key;
    private readonly Dictionary<string, Row> _rows;
    private readonly string _reportName;
    private long _simulatedCostTicks;

    private sealed record Row(double Fitness, double? Report, double? Cost, double[] Objectives);

    /// <summary>Reads <paramref name="path"/> and indexes it by <see cref="TabularColumns.Key"/>.</summary>
    public TabularEvaluator(string path, TabularColumns columns, Func<TArchitecture, string> key)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Path = System.IO.Path.GetFullPath(path);
        Columns = columns;
        _reportName = columns.Report ?? "";
        if (!File.Exists(Path)) throw new TabularDataException($"{Path}: the benchmark table does not exist.");

        using var reader = new StreamReader(Path, Encoding.UTF8);
        var csv = new CsvReader(reader, Path);
        var header = csv.ReadRecord() ?? throw new TabularDataException($"{Path}: the file is empty; expected a header row.");
        int Column(string name, string role)
        {
            int index = Array.IndexOf(header, name);
            if (index < 0)
                throw new TabularDataException($"{Path}: no column '{name}' (the {role} column) in the header; columns are {string.Join(", ", header)}.");
            return index;
        }
        int keyCol = Column(columns.Key, "key");
        int fitCol = Column(columns.Fitness, "fitness");
        int repCol = columns.Report is null ? -1 : Column(columns.Report, "report");
        int costCol = columns.Cost is null ? -1 : Column(columns.Cost, "cost");
        int[] objCols = columns.Objectives.Select(o => Column(o, "objective")).ToArray();

        _rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        while (csv.ReadRecord() is { } record)
        {
            int line = csv.RecordLine;
            if (record.Length == 1 && record[0].Length == 0) continue; // blank line
            if (record.Length != header.Length)
                throw new TabularDataException($"{Path}, line {line}: {record.Length} fields, but the header has {header.Length}.");
            double Number(int col)
            {
                string text = record[col];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw new TabularDataException($"{Path}, line {line}, column '{header[col]}': '{text}' is not a number.");
                return value;
            }
            var row = new Row(Number(fitCol), repCol < 0 ? null : Number(repCol), costCol < 0 ? null : Number(costCol), objCols.Select(Number).ToArray());
            if (!_rows.TryAdd(record[keyCol], row))
                throw new TabularDataException($"{Path}, line {line}, column '{columns.Key}': key '{record[keyCol]}' appears twice.");
        }
    }

    /// <summary>The full path of the table.</summary>
    public string Path { get; }

    /// <summary>The columns read.</summary>
    public TabularColumns Columns { get; }

    /// <summary>Number of architectures in the table.</summary>
    public int Count => _rows.Count;

    /// <summary>The simulated training time of every lookup so far (from the cost column), the budget of a benchmark run.</summary>
    public TimeSpan SimulatedCost => TimeSpan.FromTicks(Interlocked.Read(ref _simulatedCostTicks));

    /// <summary>The table's values for an architecture, without counting its cost; throws when it is not in the table.</summary>
    public EvaluationResult Lookup(TArchitecture architecture)
    {
        string key = _key(architecture);
        if (!_rows.TryGetValue(key, out var row))
            throw new KeyNotFoundException($"{Path}: no row has '{key}' in column '{Columns.Key}' (architecture {architecture}).");
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [Columns.Fitness] = row.Fitness };
        if (row.Report is { } r) metrics[_reportName] = r;
        if (row.Cost is { } c) metrics[CostMetric] = c;
        for (int i = 0; i < row.Objectives.Length; i++) metrics[Columns.Objectives[i]] = row.Objectives[i];
        return new EvaluationResult(row.Fitness, metrics);
    }

    /// <inheritdoc />
    public Task<EvaluationResult> EvaluateAsync(TArchitecture architecture, EvaluationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var result = Lookup(architecture);
        if (result.Metrics.TryGetValue(CostMetric, out double cost))
            Interlocked.Add(ref _simulatedCostTicks, TimeSpan.FromSeconds(cost * context.Fidelity).Ticks);
        return Task.FromResult(result);
    }
}

/// <summary>An RFC 4180 reader: comma-separated, fields in double quotes may hold commas, line breaks and doubled quotes.</summary>
internal sealed class CsvReader(TextReader reader, string path)
{
    private int _line = 1;

    /// <summary>The line on which the last record began (1-based).</summary>
    public int RecordLine { get; private set; }

    /// <summary>The next record's fields, or null at the end.</summary>
    public string[]? ReadRecord()
    {
        if (reader.Peek() < 0) return null;
        RecordLine = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        while (true)
        {
            int c = reader.Read();
            if (quoted)
            {
                if (c < 0) throw new TabularDataException($"{path}, line {RecordLine}: a quoted field is not closed before the end of the file.");
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') _line++;
                    field.Append((char)c);
                }
                continue;
            }
            if (c == '"')
            {
                if (field.Length > 0 || wasQuoted)
                    throw new TabularDataException($"{path}, line {_line}, field {fields.Count + 1}: a quote inside an unquoted field (quote the whole field and double the quote).");
                quoted = wasQuoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c is '\n' or '\r' or < 0)
            {
                if (c == '\r' && reader.Peek() == '\n') reader.Read();
                if (c >= 0) _line++;
                fields.Add(field.ToString());
                return fields.ToArray();
            }
            else
            {
                if (wasQuoted)
                    throw new TabularDataException($"{path}, line {_line}, field {fields.Count + 1}: text after the closing quote.");
                field.Append((char)c);
            }
        }
    }
}
