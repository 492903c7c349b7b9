using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using NasGen.IntegrationTests.Spaces;
using Arch = NasGen.IntegrationTests.Spaces.TinyConvNet.Architecture;

namespace NasGen.IntegrationTests;

/// <summary>Property tests of the generated space maths on a space with every choice kind, a nested space and a constraint.</summary>
public sealed class SpaceMathTests
{
    private static readonly TinyConvNet.SpaceDescriptor Space = TinyConvNet.Space;

    [Fact]
    public void Cardinality_is_the_product_of_every_dimension_including_the_nested_space()
    {
        // width 2, dropout 2, lr 2, groups 2, batchNorm 2, pooling 2, block 3, extra 3, skip C(3,2)=3, head: hidden 2 x activation 3.
        Assert.Equal(new BigInteger(2 * 2 * 2 * 2 * 2 * 2 * 3 * 3 * 3 * 2 * 3), Space.Cardinality);
        Assert.Equal(
            ["width", "dropout", "lr", "groups", "batchNorm", "pooling", "block", "extra", "skip", "head.hidden", "head.activation"],
            Space.Dimensions.Select(d => d.Label));
        Assert.True(Space.HasConstraints);
        Assert.Equal("tiny-convnet", Space.Name);
    }

    [Fact]
    public void Enumeration_yields_exactly_the_allowed_architectures_once_each_in_index_order()
    {
        var seen = new HashSet<Arch>();
        BigInteger previous = -1;
        foreach (var architecture in Space.Enumerate())
        {
            Assert.True(seen.Add(architecture));
            Assert.True(Space.IsAllowed(architecture));
            var index = Space.IndexOf(architecture);
            Assert.True(index > previous);
            previous = index;
        }

        int allowedByBruteForce = 0;
        for (BigInteger i = 0; i < Space.Cardinality; i++)
            if (Space.IsAllowed(Space.FromIndex(i))) allowedByBruteForce++;
        Assert.Equal(allowedByBruteForce, seen.Count);
        Assert.Equal(allowedByBruteForce, (int)Space.CountAllowed());
        // The constraint removes width 8 x dropout 0.25 x Conv5x5: one twelfth of the grid.
        Assert.Equal(Space.Cardinality - Space.Cardinality / 12, allowedByBruteForce);
    }

    [Fact]
    public void Index_is_a_bijection_over_the_grid()
    {
        for (BigInteger i = 0; i < Space.Cardinality; i += 7)
            Assert.Equal(i, Space.IndexOf(Space.FromIndex(i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Space.FromIndex(Space.Cardinality));
        Assert.Throws<ArgumentOutOfRangeException>(() => Space.FromIndex(-1));
    }

    [Fact]
    public void Sampling_is_seeded_respects_constraints_and_reaches_every_candidate()
    {
        var a = Sample(new Random(11), 3000);
        var b = Sample(new Random(11), 3000);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Sample(new Random(12), 3000));
        Assert.All(a, x => Assert.True(Space.IsAllowed(x)));

        for (int d = 0; d < Space.Dimensions.Count; d++)
        {
            var reached = a.Select(x => Space.EncodeCategorical(x)[d]).Distinct().Count();
            Assert.Equal(Space.Dimensions[d].Count, reached);
        }
    }

    private static List<Arch> Sample(Random random, int count) => Enumerable.Range(0, count).Select(_ => Space.Sample(random)).ToList();

    [Fact]
    public void Mutation_changes_exactly_k_choices()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 300; trial++)
        {
            var parent = Space.Sample(random);
            int k = 1 + trial % 4;
            var child = Space.Mutate(parent, random, k);
            int changed = Space.EncodeCategorical(parent).Zip(Space.EncodeCategorical(child)).Count(p => p.First != p.Second);
            Assert.Equal(k, changed);
            Assert.True(Space.IsAllowed(child));
        }
    }

    [Fact]
    public void Crossover_takes_each_choice_from_one_of_the_parents()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 300; trial++)
        {
            var (p, q) = (Space.EncodeCategorical(Space.Sample(random)), Space.EncodeCategorical(Space.Sample(random)));
            var child = Space.EncodeCategorical(Space.Crossover(Space.Decode(p), Space.Decode(q), random));
            for (int d = 0; d < child.Length; d++) Assert.True(child[d] == p[d] || child[d] == q[d]);
        }
    }

    [Fact]
    public void Neighbours_differ_in_exactly_one_choice_and_cover_every_alternative()
    {
        var origin = Space.Sample(new Random(9));
        var codes = Space.EncodeCategorical(origin);
        var neighbours = Space.Neighbours(origin).ToList();
        Assert.All(neighbours, n => Assert.Equal(1, Space.EncodeCategorical(n).Zip(codes).Count(p => p.First != p.Second)));
        int gridNeighbours = Space.Dimensions.Sum(d => d.Count - 1);
        Assert.True(neighbours.Count <= gridNeighbours);
        Assert.Equal(neighbours.Count, neighbours.Distinct().Count());
        Assert.Equal(gridNeighbours, neighbours.Count + CountDisallowedNeighbours(origin, codes));
    }

    private static int CountDisallowedNeighbours(Arch origin, int[] codes)
    {
        int disallowed = 0;
        for (int d = 0; d < codes.Length; d++)
            for (int c = 0; c < Space.Dimensions[d].Count; c++)
            {
                if (c == codes[d]) continue;
                var copy = (int[])codes.Clone();
                copy[d] = c;
                if (!Space.IsAllowed(Space.Decode(copy))) disallowed++;
            }
        return disallowed;
    }

    [Fact]
    public void Encodings_are_categorical_and_one_hot()
    {
        var architecture = Space.Sample(new Random(1));
        var categorical = Space.EncodeCategorical(architecture);
        var oneHot = Space.EncodeOneHot(architecture);
        Assert.Equal(Space.Dimensions.Sum(d => d.Count), oneHot.Length);
        Assert.Equal(Space.Dimensions.Count, oneHot.Sum());
        int offset = 0;
        for (int d = 0; d < categorical.Length; d++)
        {
            Assert.Equal(1f, oneHot[offset + categorical[d]]);
            offset += Space.Dimensions[d].Count;
        }
        Assert.Equal(architecture, Space.Decode(categorical));
    }

    [Fact]
    public void Text_and_json_round_trip_for_every_architecture()
    {
        foreach (var architecture in Space.Enumerate())
        {
            Assert.Equal(architecture, Arch.Parse(architecture.ToString()));
            Assert.Equal(architecture, Arch.FromJson(architecture.ToJson()));
        }
    }

    [Fact]
    public void Canonical_text_and_json_have_the_documented_shape()
    {
        var architecture = new Arch(8, 0.25, 0.01f, 3L, true, "avg", TinyConvNet.BlockChoice.DepthwiseSeparable, 2,
            new ChosenInputs(3, 0, 2), new ClassifierHead.Architecture(32, Activation.Gelu));
        Assert.Equal(
            "width=8;dropout=0.25;lr=0.01;groups=3;batchNorm=true;pooling=\"avg\";block=DepthwiseSeparable;extra=2;skip=[0,2];head.hidden=32;head.activation=Gelu",
            architecture.ToString());
        string json = architecture.ToJson();
        Assert.Contains("\"$space\": \"tiny-convnet\"", json);
        Assert.Contains("\"head\": {", json);
        Assert.Contains("\"skip\": [", json);
    }

    [Fact]
    public void Stable_hash_is_fnv1a_of_the_canonical_text()
    {
        var architecture = Space.FromIndex(1234);
        Assert.Equal(SearchSpace<Arch>.Fnv1a(architecture.ToString()), architecture.StableHash());
        // Pinned value: the hash must not change between processes, machines or releases.
        Assert.Equal(0xcbf29ce484222325UL, SearchSpace<Arch>.Fnv1a(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, SearchSpace<Arch>.Fnv1a("a"));
    }

    [Fact]
    public void Invalid_values_are_rejected_with_the_label_the_value_and_the_candidates()
    {
        var valid = Space.FromIndex(0);
        var error = Assert.Throws<InvalidArchitectureException>(() => (valid with { Width = 7 }).Validate());
        Assert.Equal("width", error.Label);
        Assert.Contains("'width' is 7, which is not among its candidates 4, 8", error.Message);

        error = Assert.Throws<InvalidArchitectureException>(() => (valid with { Head = valid.Head with { Hidden = 5 } }).Validate());
        Assert.Equal("head.hidden", error.Label);

        error = Assert.Throws<InvalidArchitectureException>(() => Arch.Parse(valid.ToString().Replace("pooling=\"max\"", "pooling=\"min\"")));
        Assert.Contains("'pooling' is \"min\", which is not among its candidates \"max\", \"avg\"", error.Message);

        error = Assert.Throws<InvalidArchitectureException>(() => Arch.Parse("width=4"));
        Assert.Contains("label 'dropout' is missing", error.Message);

        error = Assert.Throws<InvalidArchitectureException>(() => Arch.FromJson(valid.ToJson().Replace("\"extra\"", "\"extras\"")));
        Assert.Contains("\"extras\" is not a label of search space", error.Message);

        error = Assert.Throws<InvalidArchitectureException>(() => Arch.FromJson("{ \"width\": 4,"));
        Assert.Contains("line 1: malformed JSON: unexpected end of file", error.Message);

        var broken = valid with { Width = 8, Dropout = 0.25, Block = TinyConvNet.BlockChoice.Conv5x5 };
        error = Assert.Throws<InvalidArchitectureException>(() => broken.Validate());
        Assert.Contains("breaks a constraint", error.Message);
        Assert.False(Space.IsAllowed(broken));
        Assert.False(Space.IsAllowed(default));
    }

    [Fact]
    public void Fingerprint_depends_on_the_shape_only()
    {
        Assert.Equal(16, Space.Fingerprint.Length);
        Assert.NotEqual(Space.Fingerprint, ClassifierHead.Space.Fingerprint);
        Assert.Equal(Space.Fingerprint, TinyConvNet.Space.Fingerprint);
    }
}
