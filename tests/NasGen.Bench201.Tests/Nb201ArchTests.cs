using System;
using System.IO;
using System.Linq;
using NasGen.Evaluation;

namespace NasGen.Bench201.Tests;

public sealed class Nb201ArchTests
{
    [Fact]
    public void Space_has_six_edges_of_five_operations_in_the_official_order()
    {
        Assert.Equal(15625, (int)Nb201Cell.Space.Cardinality);
        Assert.Equal(["edge1-0", "edge2-0", "edge2-1", "edge3-0", "edge3-1", "edge3-2"], Nb201Cell.Space.Dimensions.Select(d => d.Label).ToArray());
        Assert.All(Nb201Cell.Space.Dimensions, d => Assert.Equal(5, d.Count));
    }

    [Fact]
    public void Arch_string_round_trips_for_every_architecture()
    {
        foreach (var a in Nb201Cell.Space.Enumerate())
            Assert.Equal(a, Nb201Arch.ParseArchString(Nb201Arch.ToArchString(a)));
    }

    [Fact]
    public void Arch_string_puts_each_edge_in_its_place()
    {
        var a = Nb201Arch.ParseArchString("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|");
        Assert.Equal(Nb201Op.NorConv3x3, a.Edge1From0);
        Assert.Equal(Nb201Op.None, a.Edge2From0);
        Assert.Equal(Nb201Op.SkipConnect, a.Edge2From1);
        Assert.Equal(Nb201Op.AvgPool3x3, a.Edge3From0);
        Assert.Equal(Nb201Op.NorConv1x1, a.Edge3From1);
        Assert.Equal(Nb201Op.SkipConnect, a.Edge3From2);
    }

    [Theory]
    [InlineData("|none~0|+|none~0|none~1|", "3 '+'-separated")]
    [InlineData("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 must have 2 inputs")]
    [InlineData("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown operation 'conv' on edge 1<-0")]
    [InlineData("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "must be 'op~0'")]
    [InlineData("none~0+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'")]
    public void Malformed_arch_strings_say_what_is_wrong(string arch, string message)
    {
        var e = Assert.Throws<FormatException>(() => Nb201Arch.ParseArchString(arch));
        Assert.Contains(message, e.Message);
    }

    [Nb201Fact]
    public void Arch_string_and_official_index_match_every_row_of_the_table()
    {
        var index = new Nb201Index(Nb201Data.Path);
        var lines = File.ReadLines(Nb201Data.Path).Skip(1).Where(l => l.Length > 0).ToArray();
        Assert.Equal(15625, lines.Length);
        foreach (string line in lines)
        {
            string[] fields = line.Split(',');
            int official = int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
            var a = Nb201Arch.ParseArchString(fields[1]);
            Assert.Equal(fields[1], Nb201Arch.ToArchString(a));
            Assert.Equal(official, index.IndexOf(a));
            Assert.Equal(a, index.FromIndex(official));
        }
    }

    [Nb201Fact]
    public void Known_cells_have_their_published_indices()
    {
        var index = new Nb201Index(Nb201Data.Path);
        var allSkip = Nb201Cell.Space.Decode([1, 1, 1, 1, 1, 1]);
        Assert.Equal(1835, index.IndexOf(allSkip));
        Assert.Equal("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", Nb201Arch.ToArchString(allSkip));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.FromIndex(15625));
    }

    [Fact]
    public void A_table_without_an_architecture_names_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nb201-partial-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "index,arch,acc,test\n0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,10,10\n");
        try
        {
            var e = Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => new BenchmarkTable(path, "arch", "acc", "test", null, []));
            Assert.Contains("no row has '|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|'", e.Message);
            var unknown = Assert.Throws<TabularDataException>(() => new BenchmarkTable(path, "arch", "acc", "test", null, ["flops_m"]));
            Assert.Contains("no column 'flops_m' (the objective column)", unknown.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
