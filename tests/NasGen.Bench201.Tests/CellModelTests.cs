using System;
using System.Linq;
using NasGen.Strategies;

namespace NasGen.Bench201.Tests;

/// <summary>The Gaussian process of Bayesian optimization on the cell space, whose six edges share their five operations.</summary>
public sealed class CellModelTests
{
    [Fact]
    public void Edges_share_their_operation_weights_and_the_weights_find_the_operation_that_matters()
    {
        // A "none" edge costs 2 wherever it is, the other operations little: one weight per operation, shared by the
        // edges, marks leaving or taking "none" as the big change on every edge.
        var space = Nb201Cell.Space;
        var random = new Random(3);
        var cells = Enumerable.Range(0, 80).Select(_ => space.Sample(random)).Distinct().ToList();
        var codes = cells.Select(c => space.EncodeCategorical(c)).ToList();
        double Target(int[] c) => c.Sum(op => (Nb201Op)op == Nb201Op.None ? -2.0 : 0.1 * op);
        var model = CategoricalGaussianProcess.For(space, candidateWeights: true);
        model.Fit(codes, codes.Select(Target).ToList());

        int none = (int)Nb201Op.None, skip = (int)Nb201Op.SkipConnect;
        double ratio = model.CandidateLengthScale(0, none) / model.CandidateLengthScale(0, skip);
        for (int edge = 0; edge < 6; edge++)
        {
            Assert.Equal(ratio, model.CandidateLengthScale(edge, none) / model.CandidateLengthScale(edge, skip), 9);
            foreach (var op in Enum.GetValues<Nb201Op>().Where(o => o != Nb201Op.None))
                Assert.True(model.CandidateLengthScale(edge, none) < model.CandidateLengthScale(edge, (int)op), $"edge {edge}, {op}");
        }
    }
}
