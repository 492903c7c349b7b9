using System;
using System.Linq;
using NasGen.IntegrationTests.Spaces;
using NasGen.OneShot;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests;

/// <summary>[Cell] spaces: exact space maths over cells, fixed networks, and the generated supernet.</summary>
public sealed class CellSpaceTests
{
    [Fact]
    public void The_space_maths_covers_both_cell_forms_exactly()
    {
        var space = CellSpaceNet.Space;
        // NB201 cell: 4 ops on 6 edges; DARTS cell (2 inputs, 2 nodes, 2 chosen): node 0 C(2,2)·4², node 1 C(3,2)·4².
        long expected = 2 * (long)Math.Pow(4, 6) * (1 * 16) * (3 * 16) * 2 * 2;
        Assert.Equal(expected, (long)space.Cardinality);
        Assert.Contains(space.Dimensions, d => d.Label == "dag.edge3-2");
        Assert.Contains(space.Dimensions, d => d.Label == "reduce.node1.inputs");

        var random = new Random(1);
        for (int i = 0; i < 50; i++)
        {
            var architecture = space.Sample(random);
            Assert.Equal(architecture, CellSpaceNet.Architecture.FromJson(architecture.ToJson()));
            Assert.Equal(architecture, CellSpaceNet.Architecture.Parse(architecture.ToString()));
            Assert.Equal(architecture, space.FromIndex(space.IndexOf(architecture)));
        }
        var first = space.FromIndex(12345);
        Assert.Equal(12345, (long)space.IndexOf(first));

    }

    [Fact]
    public void A_fixed_network_has_only_the_chosen_edges()
    {
        var architecture = CellSpaceNet.Space.FromIndex(0) with
        {
            Dag = CellArchitecture<CellOp>.EveryEdge(CellSpaceNet.SpaceDescriptor.DagShape,
                CellOp.Conv3x3, CellOp.None, CellOp.Skip, CellOp.None, CellOp.None, CellOp.Conv3x3),
        };
        using var net = new CellSpaceNet(architecture);
        var keys = net.state_dict().Keys.ToList();
        Assert.Contains("dag.e1_0.1.weight", keys);
        Assert.Contains("dag.e3_2.1.weight", keys);
        Assert.Contains("dagAgain.e1_0.1.weight", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("dag.e2_0"));
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 2, 3 }, net.call(randn(2, 1, 6, 6)).shape);
    }

    [Fact]
    public void The_supernet_on_a_path_equals_the_fixed_network_with_inherited_weights()
    {
        using var context = new SupernetContext(seed: 4);
        using var supernet = CellSpaceNet.CreateSupernet(context, width: 4);
        Assert.Same(context, supernet.Supernet);
        // The layer and input choices and every cell edge are registered under the space's labels; the two
        // NB201 cells share theirs.
        Assert.Contains(context.Choices, c => c.Label == "block");
        Assert.Contains(context.Choices, c => c.Label == "skip");
        Assert.Single(context.Choices, c => c.Label == "dag.edge1-0");
        Assert.DoesNotContain(supernet.parameters(), p => context.ArchitectureParameters.Any(a => ReferenceEquals(a, p)));

        torch.manual_seed(0);
        for (int trial = 0; trial < 3; trial++)
        {
            context.Mode = SupernetMode.Fixed;
            var path = context.SamplePath();
            context.SetPath(path);
            var architecture = supernet.ArchitectureOnPath(path);
            CellSpaceNet.Space.Validate(architecture);
            Assert.Equal(4, architecture.Width);

            using var fixedNet = new CellSpaceNet(architecture);
            Supernets.InheritWeights(supernet, context, fixedNet, path);
            supernet.eval();
            fixedNet.eval();
            using var scope = NewDisposeScope();
            var input = randn(2, 1, 6, 6);
            Assert.True(supernet.call(input).allclose(fixedNet.call(input), rtol: 0, atol: 1e-5), $"path {string.Join(",", path)}");
        }

        // The weighted (DARTS) supernet runs forward and backward, and derives a valid architecture.
        context.Mode = SupernetMode.Weighted;
        supernet.train();
        using (var scope = NewDisposeScope())
        {
            supernet.call(randn(2, 1, 6, 6)).sum().backward();
            Assert.All(context.ArchitectureParameters, a => Assert.NotNull(a.grad));
        }
        CellSpaceNet.Space.Validate(supernet.DeriveArchitecture());
    }
}
