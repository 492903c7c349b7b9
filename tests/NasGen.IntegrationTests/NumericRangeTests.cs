using System;
using System.Collections.Generic;
using System.Linq;
using NasGen.IntegrationTests.Spaces;
using NasGen.Strategies;

namespace NasGen.IntegrationTests;

/// <summary>[Range] dimensions in generated spaces: finiteness, exact text and JSON, validation, sampling, moves and encodings.</summary>
public sealed class NumericRangeTests
{
    private static readonly Recipe.SpaceDescriptor Space = Recipe.Space;

    private static Recipe.Architecture Valid(double learningRate = 0.01, float scale = 1f) =>
        new(learningRate, 0.3, 64, scale, 10, "adam");

    [Fact]
    public void A_continuous_range_makes_the_space_infinite_and_the_grid_operations_say_why()
    {
        Assert.False(Space.IsFinite);
        Assert.True(Space.Dimensions[0].IsContinuous);
        Assert.False(Space.Dimensions[1].IsContinuous); // stepped: a value choice with a range
        var cardinality = Assert.Throws<NotSupportedException>(() => Space.Cardinality);
        Assert.Contains("learningRate, scale", cardinality.Message);
        Assert.Contains("Step", cardinality.Message);
        Assert.Throws<NotSupportedException>(() => Space.Enumerate());
        Assert.Throws<NotSupportedException>(() => Space.IndexOf(Valid()));
        Assert.Throws<NotSupportedException>(() => Space.FromIndex(0));
        var grid = Assert.Throws<NotSupportedException>(() => SearchStrategies.Create("grid", Space, 1));
        Assert.Contains("finite", grid.Message);
        // Every other strategy searches the ranges (MixedSpaceStrategyTests); the model-based ones once refused them.
        foreach (string strategy in new[] { "bo", "reinforce", "ehvi", "parego", "epsilon-constraint" })
        {
            var created = SearchStrategies.Create(strategy, Space, 1);
            Assert.True(Space.IsAllowed(created.Ask()!.Architecture));
            (created as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Stepped_ranges_are_finite_value_choices_with_their_values_in_order()
    {
        Assert.True(SteppedRecipe.Space.IsFinite);
        Assert.Equal(6 * 4 * 2, (int)SteppedRecipe.Space.Cardinality);
        Assert.Equal(["0", "0.1", "0.2", "0.3", "0.4", "0.5"], SteppedRecipe.Space.Dimensions[0].Candidates.Select(c => c.Token));
        Assert.Equal([16, 32, 48, 64], SteppedRecipe.Space.Dimensions[1].Candidates.Select(c => (int)c.Value));
        int enumerated = 0;
        foreach (var _ in SteppedRecipe.Space.Enumerate()) enumerated++;
        Assert.Equal(48, enumerated);
        Assert.Equal(16, Space.Dimensions[2].Count); // 16..256 by 16
        Assert.Equal(1000, Space.Dimensions[4].Count); // an integer range steps by 1, log or not
    }

    public static TheoryData<double, double> Extremes => new()
    {
        { 1e308, 1e-300 },
        { -1e308, -1e-300 },
        { double.Epsilon, -double.Epsilon },       // subnormals
        { -0.0, 0.0 },
        { 1.0000000000000002, 4.9406564584124654E-322 },
        { Math.PI * 1e100, 2.2250738585072014E-308 }, // the smallest normal
    };

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Extreme_doubles_round_trip_bit_for_bit_through_text_and_json(double wide, double tiny)
    {
        var architecture = new Spaces.Extremes.Architecture(wide, tiny);
        var space = Spaces.Extremes.Space;
        foreach (var back in new[] { space.Parse(space.ToCanonicalString(architecture)), space.FromJson(space.ToJson(architecture)) })
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(wide), BitConverter.DoubleToInt64Bits(back.Wide));
            Assert.Equal(BitConverter.DoubleToInt64Bits(tiny), BitConverter.DoubleToInt64Bits(back.Tiny));
        }
        Assert.Equal(space.StableHash(architecture), space.StableHash(space.Parse(architecture.ToString())));
    }

    [Fact]
    public void Log_range_ends_and_float_values_round_trip_exactly()
    {
        foreach (var architecture in new[] { Valid(1e-4, 0.5f), Valid(1e-1, 2f), Valid(0.0031622776601683794, 1.1f) })
        {
            Assert.Equal(architecture, Space.Parse(Space.ToCanonicalString(architecture)));
            Assert.Equal(architecture, Recipe.Architecture.FromJson(architecture.ToJson()));
        }
        Assert.Equal("learningRate=0.0001;dropout=0.3;width=64;scale=0.5;batch=10;optimizer=\"adam\"", Valid(1e-4, 0.5f).ToString());
    }

    [Fact]
    public void Validation_names_the_label_the_value_and_the_bounds()
    {
        var low = Assert.Throws<InvalidArchitectureException>(() => Valid(learningRate: 1e-5).Validate());
        Assert.Contains("'learningRate' is 1E-05, which is outside its range [0.0001, 0.1] log", low.Message);
        Assert.Equal("learningRate", low.Label);
        Assert.Throws<InvalidArchitectureException>(() => Valid(learningRate: double.NaN).Validate());
        var stepped = Assert.Throws<InvalidArchitectureException>(() => (Valid() with { Dropout = 0.25 }).Validate());
        Assert.Contains("'dropout' is 0.25, which is not a value of its range [0, 0.5] step 0.1", stepped.Message);
        var parsed = Assert.Throws<InvalidArchitectureException>(() => Space.Parse(Valid().ToString().Replace("scale=1", "scale=2.5")));
        Assert.Contains("'scale' is 2.5, which is outside its range [0.5, 2]", parsed.Message);
        var json = Assert.Throws<InvalidArchitectureException>(() => Space.FromJson(Valid().ToJson().Replace("0.01", "0.5")));
        Assert.Contains("outside its range [0.0001, 0.1] log", json.Message);
    }

    [Fact]
    public void Samples_stay_in_bounds_follow_the_scale_and_satisfy_the_constraint()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 4000).Select(_ => Space.Sample(random)).ToList();
        Assert.All(samples, a => Assert.True(Space.IsAllowed(a)));
        Assert.DoesNotContain(samples, a => a.Optimizer == "sgd" && a.LearningRate < 1e-3);
        // Log-uniform: the geometric midpoint of [1e-4, 1e-1] splits the Adam samples in halves (uniform would put 3% below).
        var adam = samples.Where(a => a.Optimizer == "adam").ToList();
        double below = adam.Count(a => a.LearningRate < Math.Sqrt(1e-4 * 1e-1)) / (double)adam.Count;
        Assert.InRange(below, 0.45, 0.55);
        double smallBatches = samples.Count(a => a.Batch <= 31) / (double)samples.Count; // log-uniform over 1..1000: about half
        Assert.InRange(smallBatches, 0.42, 0.58);
        Assert.True(samples.Select(a => a.Scale).Distinct().Count() > 3900); // continuous: no grid
    }

    [Fact]
    public void Mutation_perturbs_within_bounds_and_in_log_space_for_log_ranges()
    {
        var random = new Random(3);
        var start = Valid(learningRate: 1e-3);
        var ratios = new List<double>();
        for (int i = 0; i < 2000; i++)
        {
            var child = Space.Mutate(start, random);
            Assert.True(Space.IsAllowed(child));
            Assert.Equal(1, Differences(start, child));
            if (child.LearningRate != start.LearningRate) ratios.Add(Math.Log10(child.LearningRate / start.LearningRate));
        }
        // σ = 0.1 of the log range (3 decades): moves of about 0.3 decades, never a jump across the range.
        Assert.NotEmpty(ratios);
        Assert.InRange(ratios.Select(Math.Abs).Average(), 0.15, 0.35);
        Assert.True(ratios.Max() < 1.6);
    }

    [Fact]
    public void Mutation_at_a_bound_reflects_back_into_the_range()
    {
        var random = new Random(5);
        var atTop = Valid(learningRate: 0.1, scale: 2f);
        for (int i = 0; i < 500; i++)
        {
            var child = Space.Mutate(atTop, random, choices: 6);
            Assert.InRange(child.LearningRate, 1e-4, 0.1);
            Assert.InRange(child.Scale, 0.5f, 2f);
            Assert.NotEqual(atTop.Scale, child.Scale);
        }
    }

    [Fact]
    public void Neighbours_are_a_finite_documented_set()
    {
        var start = Valid(learningRate: 0.01);
        var neighbours = Space.Neighbours(start).ToList();
        Assert.All(neighbours, n => Assert.Equal(1, Differences(start, n)));
        // learningRate: six moves of ±1%, ±5%, ±20% of the log range, scale likewise.
        Assert.Equal(6, neighbours.Count(n => n.LearningRate != start.LearningRate));
        Assert.Equal(6, neighbours.Count(n => n.Scale != start.Scale));
        // width 64 (code 3 of 16): 1, 2 steps below and 1, 2, 4, 8 above; dropout 0.3: 0.2, 0.1, 0.4, 0.5.
        Assert.Equal([32, 48, 80, 96, 128, 192], neighbours.Where(n => n.Width != start.Width).Select(n => n.Width).Order());
        Assert.Equal([0.1, 0.2, 0.4, 0.5], neighbours.Where(n => n.Dropout != start.Dropout).Select(n => n.Dropout).Order());
        Assert.Equal(1, neighbours.Count(n => n.Optimizer != start.Optimizer));
    }

    [Fact]
    public void Normalised_encoding_maps_each_range_to_the_unit_interval_in_its_scale()
    {
        var encoded = Space.EncodeNormalised(Valid(learningRate: 0.0031622776601683794, scale: 2f));
        Assert.Equal(0.5, encoded[0], 12);   // geometric midpoint of a log range
        Assert.Equal(0.6, encoded[1], 12);   // dropout 0.3 of [0, 0.5]
        Assert.Equal(48.0 / 240, encoded[2], 12);
        Assert.Equal(1.0, encoded[3], 12);
        Assert.Equal(1.0 / 3, encoded[4], 12);  // batch 10 in [1, 1000] log
        Assert.Equal(1.0, encoded[5]);          // "adam" is the second of two
        Assert.Equal(0.5f, Space.EncodeOneHot(Valid(learningRate: 0.0031622776601683794))[0], 5);
        Assert.Equal([0.0031622776601683794, 0.3, 64, 1, 10, double.NaN], Space.NumericValues(Valid(learningRate: 0.0031622776601683794)));
    }

    [Fact]
    public void A_nested_recipe_carries_its_numbers_through_the_outer_space()
    {
        var space = RecipeNet.Space;
        Assert.False(space.IsFinite);
        var random = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            var architecture = space.Sample(random);
            Assert.Equal(architecture, space.Parse(architecture.ToString()));
            Assert.Equal(architecture, space.FromJson(architecture.ToJson()));
            Assert.Equal(architecture, space.Crossover(architecture, architecture, random));
        }
        var json = space.ToJson(new RecipeNet.Architecture(8, 0.25, Valid()));
        Assert.Contains("\"training\": {", json);
        Assert.Contains("\"learningRate\": 0.01", json);
        var export = Assert.Throws<NotSupportedException>(() => space.EmitSource(new RecipeNet.Architecture(8, 0.25, Valid()), "Fixed", "Out"));
        Assert.Contains("'training.learningRate'", export.Message);
    }

    [Fact]
    public void Emitted_source_bakes_the_numbers_in()
    {
        string source = DropoutNet.EmitSource(new DropoutNet.Architecture(12, 0.1234567890123), "FixedDropout", "Out");
        Assert.Contains("0.1234567890123", source);
        Assert.Contains("12", source);
        Assert.DoesNotContain("NasGen", source.Split('\n').Where(l => !l.StartsWith("//", StringComparison.Ordinal)));
    }

    private static int Differences(Recipe.Architecture a, Recipe.Architecture b) =>
        (a.LearningRate != b.LearningRate ? 1 : 0) + (a.Dropout != b.Dropout ? 1 : 0) + (a.Width != b.Width ? 1 : 0)
        + (a.Scale != b.Scale ? 1 : 0) + (a.Batch != b.Batch ? 1 : 0) + (a.Optimizer != b.Optimizer ? 1 : 0);
}
