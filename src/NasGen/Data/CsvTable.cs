using CsvHelper;
using static TorchSharp.torch;

namespace NasGen.Data;

/// <summary>What the label column of a <see cref="CsvTable"/> holds.</summary>
public enum TableTarget
{
    /// <summary>A class per row (any text or number); the classes are indexed 0..k-1.</summary>
    Classification,

    /// <summary>A number per row, predicted as a float32.</summary>
    Regression,
}

/// <summary>
/// A table of numeric features and one target column, read from a CSV or TSV file with a header row.
/// </summary>
/// <param name="Features">float32 <c>[N, F]</c>, one column per feature, in the file's column order.</param>
/// <param name="Targets">int64 <c>[N]</c> class indices (classification) or float32 <c>[N]</c> values (regression).</param>
/// <param name="FeatureNames">The header names of the feature columns.</param>
/// <param name="ClassNames">Classification: class <c>i</c> is <c>ClassNames[i]</c>; regression: empty.</param>
/// <param name="Target">Whether <see cref="Targets"/> holds classes or values.</param>
public sealed record CsvTable(Tensor Features, Tensor Targets, IReadOnlyList<string> FeatureNames, IReadOnlyList<string> ClassNames, TableTarget Target) : IDisposable
{
    /// <summary>Number of rows.</summary>
    public long Count => Targets.shape[0];

    /// <summary>
    /// Reads <paramref name="path"/>: a header row, then one row per example. Every column except
    /// <paramref name="labelColumn"/> (or only <paramref name="featureColumns"/> when given) must hold a finite number
    /// in every row; quoting follows RFC 4180. Classes are ordered numerically when every label is an integer,
    /// otherwise ordinally, so the same file always gives the same class indices.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The header name of the target column (exact, case-sensitive).</param>
    /// <param name="target">Classes or numbers.</param>
    /// <param name="separator">The field separator; by default a tab for <c>.tsv</c> and <c>.tab</c> files, otherwise a comma.</param>
    /// <param name="featureColumns">The feature columns to keep, in this order; by default every other column.</param>
    /// <exception cref="DatasetException">
    /// The file is missing or malformed: the message names the file, the line and the column. Nothing is returned half-loaded.
    /// </exception>
    public static CsvTable Load(string path, string labelColumn, TableTarget target = TableTarget.Classification, char? separator = null, IReadOnlyList<string>? featureColumns = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        if (!Enum.IsDefined(target)) throw new ArgumentOutOfRangeException(nameof(target), target, "Choose Classification or Regression.");
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new DatasetException($"Table '{fullPath}' does not exist.");
        }

        char delimiter = separator ?? (Path.GetExtension(fullPath).ToLowerInvariant() is ".tsv" or ".tab" ? '\t' : ',');
        var options = new CsvReaderOptions
        {
            Separator = delimiter,
            HasHeader = true,
            TrackLineNumbers = true,
            // A broken quote is reported, not silently repaired; field counts are checked below, naming the line.
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
        };

        try
        {
            using CsvReader csv = CsvReader.FromFile(fullPath, options);
            return Parse(csv, fullPath, labelColumn, target, delimiter, featureColumns);
        }
        catch (CsvFormatException e)
        {
            throw new DatasetException($"'{fullPath}' line {e.LineNumber}: malformed CSV ({e.Message}). Check the quoting of that line.", e);
        }
        catch (IOException e)
        {
            throw new DatasetException($"Table '{fullPath}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The rows as a <see cref="ClassificationData"/> (features <c>[N, F]</c>) for <see cref="ClassificationDataExtensions.Split"/>,
    /// <see cref="ClassificationDataExtensions.NormalizedByTraining"/> and the classification trainer. The caller owns the copy.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table's target is a regression value.</exception>
    public ClassificationData ToClassificationData()
    {
        if (Target != TableTarget.Classification)
        {
            throw new InvalidOperationException("This table has a regression target; load it with TableTarget.Classification to get classes.");
        }

        return new ClassificationData(Features.clone(), Targets.clone(), ClassNames.Count);
    }

    /// <summary>
    /// Splits the rows into train, validation and test tables, reproducibly for a given <paramref name="seed"/>:
    /// stratified by class for classification, a plain random split for regression. With <paramref name="normalize"/>,
    /// every part's features are standardised with the mean and standard deviation of the <b>training</b> part only.
    /// The caller owns (and disposes) the three tables.
    /// </summary>
    public (CsvTable Train, CsvTable Validation, CsvTable Test) Split(double trainFraction, double validationFraction, int seed, bool normalize = true)
    {
        StratifiedSplit.CheckFractions(trainFraction, validationFraction);
        long[] strata = Target == TableTarget.Classification ? Targets.data<long>().ToArray() : new long[Count];
        var (train, validation, test) = StratifiedSplit.Indices(strata, trainFraction, validationFraction, seed);
        using var scope = NewDisposeScope();
        Tensor trainFeatures = Rows(Features, train);
        Tensor mean = normalize ? trainFeatures.mean(new long[] { 0 }, keepdim: true) : zeros(1);
        Tensor std = normalize ? trainFeatures.std(new long[] { 0 }, keepdim: true) : ones(1);
        // A column that is constant in the training part is only shifted.
        std = where(std.gt(0), std, ones_like(std));
        CsvTable Part(long[] rows) => this with
        {
            Features = ((Rows(Features, rows) - mean) / std).MoveToOuterDisposeScope(),
            Targets = Rows(Targets, rows).MoveToOuterDisposeScope(),
        };
        return (Part(train), Part(validation), Part(test));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
    }

    private static Tensor Rows(Tensor source, long[] rows)
    {
        using Tensor index = tensor(rows, new long[] { rows.Length });
        return source.index_select(0, index);
    }

    private static CsvTable Parse(CsvReader csv, string path, string labelColumn, TableTarget target, char delimiter, IReadOnlyList<string>? featureColumns)
    {
        csv.ReadHeader();
        string[] header = csv.Headers.ToArray();
        if (header.Length == 0)
        {
            throw new DatasetException($"Table '{path}' is empty: it needs a header row naming the columns, then one row per example.");
        }

        string? duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new DatasetException($"'{path}' line 1: the column name '{duplicate}' appears twice; give every column its own name.");
        }

        int labelIndex = ColumnIndex(header, labelColumn, path, delimiter, "label");
        int[] featureIndices = featureColumns is null
            ? Enumerable.Range(0, header.Length).Where(i => i != labelIndex).ToArray()
            : featureColumns.Select(name => ColumnIndex(header, name, path, delimiter, "feature")).ToArray();
        if (featureIndices.Length == 0)
        {
            throw new DatasetException($"'{path}' has no feature column besides the label column '{labelColumn}'.");
        }

        if (featureIndices.Contains(labelIndex))
        {
            throw new DatasetException($"'{path}': the label column '{labelColumn}' cannot also be a feature column.");
        }

        var features = new List<float>();
        var labelTexts = new List<string>();
        var lines = new List<long>();
        while (csv.Read())
        {
            long line = csv.LineNumber;
            if (csv.FieldCount != header.Length)
            {
                throw new DatasetException($"'{path}' line {line}: {csv.FieldCount} field(s), but the header has {header.Length}. Check the delimiter ('{Printable(delimiter)}') and quoting.");
            }

            foreach (int column in featureIndices)
            {
                features.Add((float)ParseNumber(csv.GetString(column) ?? "", path, line, header[column]));
            }

            labelTexts.Add(csv.GetString(labelIndex) ?? "");
            lines.Add(line);
        }

        if (labelTexts.Count == 0)
        {
            throw new DatasetException($"Table '{path}' has a header but no rows.");
        }

        string[] featureNames = featureIndices.Select(i => header[i]).ToArray();
        long[] shape = { labelTexts.Count, featureIndices.Length };
        if (target == TableTarget.Regression)
        {
            float[] values = labelTexts.Select((text, row) => (float)ParseNumber(text, path, lines[row], labelColumn)).ToArray();
            return new CsvTable(tensor(features.ToArray(), shape), tensor(values), featureNames, Array.Empty<string>(), target);
        }

        int emptyLabel = labelTexts.FindIndex(string.IsNullOrEmpty);
        if (emptyLabel >= 0)
        {
            throw new DatasetException($"'{path}' line {lines[emptyLabel]}, column '{labelColumn}': the label is empty. Fill it in or drop the row.");
        }

        string[] classNames = OrderClasses(labelTexts.Distinct(StringComparer.Ordinal));
        var classIndex = classNames.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => (long)p.index, StringComparer.Ordinal);
        long[] labels = labelTexts.Select(text => classIndex[text]).ToArray();
        return new CsvTable(tensor(features.ToArray(), shape), tensor(labels), featureNames, classNames, target);
    }

    private static string[] OrderClasses(IEnumerable<string> names)
    {
        string[] distinct = names.ToArray();
        bool allIntegers = distinct.All(n => long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        return allIntegers
            ? distinct.OrderBy(n => long.Parse(n, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray()
            : distinct.OrderBy(n => n, StringComparer.Ordinal).ToArray();
    }

    private static int ColumnIndex(string[] header, string name, string path, char delimiter, string role)
    {
        int index = Array.IndexOf(header, name);
        if (index < 0)
        {
            throw new DatasetException(
                $"'{path}' has no {role} column '{name}'. Its columns are: {string.Join(", ", header.Select(h => $"'{h}'"))} " +
                $"(read with delimiter '{Printable(delimiter)}'; names are case-sensitive).");
        }

        return index;
    }

    private static double ParseNumber(string text, string path, long line, string column)
    {
        if (text.Length == 0)
        {
            throw new DatasetException($"'{path}' line {line}, column '{column}': the value is missing. Fill it in or drop the row; NasGen does not guess missing values.");
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new DatasetException($"'{path}' line {line}, column '{column}': '{text}' is not a number (use '.' as the decimal separator). Encode text columns as numbers or leave them out with featureColumns.");
        }

        if (!float.IsFinite((float)value))
        {
            throw new DatasetException($"'{path}' line {line}, column '{column}': '{text}' is not a finite float32 number.");
        }

        return value;
    }

    private static string Printable(char delimiter) => delimiter == '\t' ? "\\t" : delimiter.ToString();
}
