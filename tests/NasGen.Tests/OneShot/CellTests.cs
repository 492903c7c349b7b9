using System;
using System.Linq;
using System.Numerics;
using NasGen.OneShot;
using static TorchSharp.torch;

namespace NasGen.Tests.OneShot;

public sealed class CellTests
{
    [Fact]
    public void Nb201_form_has_one_op_dimension_per_edge_in_order()
    {
        var shape = CellShape.EveryEdge(4);
        Assert.Equal(["e1_0", "e2_0", "e2_1", "e3_0", "e3_1", "e3_2"], shape.Edges.Select(e => e.Name));
        var dims = Cell<TinyOp>.Dimensions(shape, "cell");
        Assert.Equal(["cell.edge1-0", "cell.edge2-0", "cell.edge2-1", "cell.edge3-0", "cell.edge3-1", "cell.edge3-2"], dims.Select(d => d.Label));
        Assert.All(dims, d => Assert.Equal(ChoiceKind.Layer, d.Kind));
        Assert.Equal(BigInteger.Pow(4, 6), dims.Aggregate(BigInteger.One, (p, d) => p * d.Count));
        for (int e = 0; e < shape.Edges.Count; e++) Assert.Equal(e, shape.EdgeIndex(shape.Edges[e]));
    }

    [Fact]
    public void Darts_form_dimensions_cover_the_cell_exactly()
    {
        var shape = CellShape.ChosenInputs(inputNodes: 2, intermediateNodes: 4, chosen: 2);
        var dims = Cell<TinyOp>.Dimensions(shape);
        Assert.Equal(
            ["node0.inputs", "node0.op0", "node0.op1", "node1.inputs", "node1.op0", "node1.op1",
             "node2.inputs", "node2.op0", "node2.op1", "node3.inputs", "node3.op0", "node3.op1"],
            dims.Select(d => d.Label));
        Assert.Equal([1, 3, 6, 10], dims.Where(d => d.Kind == ChoiceKind.Input).Select(d => d.Count));
        BigInteger cardinality = dims.Aggregate(BigInteger.One, (p, d) => p * d.Count);
        Assert.Equal(new BigInteger(1 * 3 * 6 * 10) * BigInteger.Pow(4, 8), cardinality);

        // Every code tuple is an architecture and back.
        var random = new Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            int[] codes = dims.Select(d => random.Next(d.Count)).ToArray();
            var architecture = CellArchitecture<TinyOp>.FromCodes(shape, codes);
            Assert.Equal(codes, architecture.ToCodes());
            Assert.Equal(architecture, CellArchitecture<TinyOp>.Parse(shape, architecture.ToString()));
            for (int m = 0; m < 4; m++) Assert.Equal(dims[m * 3].Candidates[codes[m * 3]].Value, architecture.Inputs[m]);
        }
    }

    [Fact]
    public void Canonical_text_is_nb201_style()
    {
        var shape = CellShape.EveryEdge(4);
        var architecture = CellArchitecture<TinyOp>.EveryEdge(shape, TinyOp.Conv3x3, TinyOp.None, TinyOp.Skip, TinyOp.Conv1x1, TinyOp.Conv3x3, TinyOp.Skip);
        Assert.Equal("|Conv3x3~0|+|None~0|Skip~1|+|Conv1x1~0|Conv3x3~1|Skip~2|", architecture.ToString());
        Assert.Equal(architecture, CellArchitecture<TinyOp>.Parse(shape, architecture.ToString()));
        Assert.Throws<FormatException>(() => CellArchitecture<TinyOp>.Parse(shape, "|Conv3x3~0|+|None~0|+|Conv1x1~0|Conv3x3~1|Skip~2|"));
        Assert.Throws<FormatException>(() => CellArchitecture<TinyOp>.Parse(shape, "|Conv9x9~0|+|None~0|Skip~1|+|Conv1x1~0|Conv3x3~1|Skip~2|"));

        var darts = CellArchitecture<TinyOp>.ChosenInputs(CellShape.ChosenInputs(2, 2, 2),
            [new ChosenInputs(2, 0, 1), new ChosenInputs(3, 0, 2)], [TinyOp.Skip, TinyOp.Conv3x3, TinyOp.Conv1x1, TinyOp.Skip]);
        Assert.Equal("|Skip~0|Conv3x3~1|+|Conv1x1~0|Skip~2|", darts.ToString());
    }

    [Fact]
    public void Fixed_cells_have_only_the_chosen_edges_and_zero_nodes_keep_their_shape()
    {
        var shape = CellShape.EveryEdge(3);
        // Node 1 gets only None: it must still be a zero tensor of the input's shape.
        var architecture = CellArchitecture<TinyOp>.EveryEdge(shape, TinyOp.None, TinyOp.Conv1x1, TinyOp.Skip);
        using var cell = Cell<TinyOp>.Fixed(architecture, TinyNet.MakeOp);
        Assert.All(cell.state_dict().Keys, k => Assert.StartsWith("e2_0.", k));
        cell.eval();
        using Tensor x = randn(2, TinyNet.Channels, 5, 5);
        using Tensor y = cell.call(x);
        using Tensor expected = cell.Edge(new CellEdge(0, 2))!.call(x); // node 2 = conv(x) + skip(zeros)
        Assert.True(allclose(y, expected));

        var darts = CellArchitecture<TinyOp>.ChosenInputs(CellShape.ChosenInputs(2, 2, 1),
            [new ChosenInputs(2, 1), new ChosenInputs(3, 2)], [TinyOp.Skip, TinyOp.Skip]);
        using var dartsCell = Cell<TinyOp>.Fixed(darts, TinyNet.MakeOp);
        using Tensor s0 = randn(2, 4, 5, 5), s1 = randn(2, 4, 5, 5);
        using Tensor output = dartsCell.Forward(s0, s1);
        Assert.Equal(new long[] { 2, 8, 5, 5 }, output.shape);
        Assert.True(output.eq(cat([s1, s1], 1)).all().item<bool>());
    }

    [Fact]
    public void A_supernet_cell_reads_and_writes_its_path()
    {
        using var context = new SupernetContext(seed: 2);
        var shape = CellShape.ChosenInputs(2, 3, 2);
        using var cell = Cell<TinyOp>.Supernet(shape, context, "normal", TinyNet.MakeOp);
        Assert.Contains(context.Choices, c => c.Label == "normal.node2.inputs" && c.CodeCount == 6);
        Assert.Contains(context.Choices, c => c.Label == "normal.edge4-3");
        var random = new Random(5);
        var dims = Cell<TinyOp>.Dimensions(shape);
        for (int trial = 0; trial < 20; trial++)
        {
            var architecture = CellArchitecture<TinyOp>.FromCodes(shape, dims.Select(d => random.Next(d.Count)).ToArray());
            int[] path = context.SamplePath();
            cell.WritePath(architecture, path);
            Assert.Equal(architecture, cell.ArchitectureOnPath(path));
        }
    }

    private static readonly CellShape EnasShape = CellShape.ChosenInputs(2, 3, 2).WithOptions(CellInputs.WithRepetition, CellOutput.LooseEnds);

    [Fact]
    public void Slots_with_repetition_are_an_input_and_an_op_dimension_each()
    {
        var dims = Cell<TinyOp>.Dimensions(EnasShape, "normal");
        Assert.Equal(
            ["normal.node0.input0", "normal.node0.op0", "normal.node0.input1", "normal.node0.op1",
             "normal.node1.input0", "normal.node1.op0", "normal.node1.input1", "normal.node1.op1",
             "normal.node2.input0", "normal.node2.op0", "normal.node2.input1", "normal.node2.op1"],
            dims.Select(d => d.Label));
        Assert.Equal([2, 2, 3, 3, 4, 4], dims.Where(d => d.Kind == ChoiceKind.Input).Select(d => d.Count));
        // Ordered slots: node m has ((m + 2) · |ops|)^2 choices.
        BigInteger cardinality = dims.Aggregate(BigInteger.One, (p, d) => p * d.Count);
        Assert.Equal(BigInteger.Pow(2 * 4, 2) * BigInteger.Pow(3 * 4, 2) * BigInteger.Pow(4 * 4, 2), cardinality);
        Assert.Equal(12, CellArchitecture<TinyOp>.CodeCount(EnasShape));

        var random = new Random(4);
        for (int trial = 0; trial < 50; trial++)
        {
            int[] codes = dims.Select(d => random.Next(d.Count)).ToArray();
            var architecture = CellArchitecture<TinyOp>.FromCodes(EnasShape, codes);
            Assert.Equal(codes, architecture.ToCodes());
            Assert.Equal(architecture, CellArchitecture<TinyOp>.Parse(EnasShape, architecture.ToString()));
            for (int slot = 0; slot < 6; slot++) Assert.Equal(codes[2 * slot], architecture.SlotInputs[slot]);
        }
    }

    [Fact]
    public void A_node_may_read_one_predecessor_twice_and_the_output_is_its_loose_ends()
    {
        // Node 2 reads node 0 twice; node 3 reads node 2; node 4 reads nodes 1 and 3: only node 4 is a loose end.
        var architecture = CellArchitecture<TinyOp>.FromSlots(EnasShape, [0, 0, 2, 2, 1, 3],
            [TinyOp.Skip, TinyOp.Conv1x1, TinyOp.Skip, TinyOp.Skip, TinyOp.Skip, TinyOp.Conv3x3]);
        Assert.Equal("|Skip~0|Conv1x1~0|+|Skip~2|Skip~2|+|Skip~1|Conv3x3~3|", architecture.ToString());
        Assert.Equal([4], architecture.OutputNodes);
        Assert.Equal([2, 3, 4], CellArchitecture<TinyOp>.FromSlots(CellShape.ChosenInputs(2, 3, 2).WithOptions(CellInputs.WithRepetition, CellOutput.AllNodes),
            [0, 0, 2, 2, 1, 3], architecture.Ops.ToArray()).OutputNodes);

        using var cell = Cell<TinyOp>.Fixed(architecture, TinyNet.MakeOp);
        Assert.Equal(1, cell.OutputNodes);
        Assert.Equal(["e2_0_1", "e4_3_1"], cell.state_dict().Keys.Select(k => k[..k.IndexOf('.')]).Distinct().Order());
        cell.eval();
        using Tensor s0 = randn(2, TinyNet.Channels, 5, 5), s1 = randn(2, TinyNet.Channels, 5, 5);
        using Tensor output = cell.Forward(s0, s1);
        Assert.Equal(new long[] { 2, TinyNet.Channels, 5, 5 }, output.shape);
        using var _ = no_grad();
        var modules = cell.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        Tensor node2 = s0 + modules["e2_0_1"].call(s0), node3 = node2 + node2;
        Tensor expected = s1 + modules["e4_3_1"].call(node3);
        Assert.True(allclose(output, expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void A_supernet_cell_with_slots_on_a_path_computes_the_fixed_cell_with_its_read_nodes_zeroed()
    {
        using var context = new SupernetContext(seed: 3);
        using var cell = Cell<TinyOp>.Supernet(EnasShape, context, "normal", TinyNet.MakeOp);
        Assert.Equal(Cell<TinyOp>.Dimensions(EnasShape, "normal").Select(d => d.Label), context.Choices.Select(c => c.Label));
        Assert.Equal(3, cell.OutputNodes);
        var dims = Cell<TinyOp>.Dimensions(EnasShape);
        var random = new Random(6);
        cell.eval();
        context.Mode = SupernetMode.Fixed;
        using Tensor s0 = randn(2, TinyNet.Channels, 5, 5), s1 = randn(2, TinyNet.Channels, 5, 5);
        for (int trial = 0; trial < 10; trial++)
        {
            var architecture = CellArchitecture<TinyOp>.FromCodes(EnasShape, dims.Select(d => random.Next(d.Count)).ToArray());
            int[] path = context.SamplePath();
            cell.WritePath(architecture, path);
            Assert.Equal(architecture, cell.ArchitectureOnPath(path));
            context.SetPath(path);

            using var fixedCell = Cell<TinyOp>.Fixed(architecture, TinyNet.MakeOp);
            var weights = Supernets.ExtractFixedStateDict(cell, context, path);
            fixedCell.load_state_dict(weights, strict: true);
            fixedCell.eval();
            using var _ = no_grad();
            Tensor supernetOutput = cell.Forward(s0, s1), fixedOutput = fixedCell.Forward(s0, s1);
            var chunks = supernetOutput.chunk(3, 1);
            var looseEnds = architecture.OutputNodes.Select(node => chunks[node - 2]).ToArray();
            Assert.True(allclose(cat(looseEnds, 1), fixedOutput, rtol: 1e-5, atol: 1e-6), architecture.ToString());
            foreach (int node in Enumerable.Range(2, 3).Except(architecture.OutputNodes))
                Assert.Equal(0f, chunks[node - 2].abs().max().item<float>());
        }
    }
}
