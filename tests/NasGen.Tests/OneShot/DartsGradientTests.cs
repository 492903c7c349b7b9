using System;
using System.Linq;
using NasGen.OneShot;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests.OneShot;

public sealed class DartsGradientTests
{
    [Fact]
    public void Second_order_gradient_matches_central_differences_of_the_unrolled_validation_loss()
    {
        torch.random.manual_seed(17);
        using var context = new SupernetContext(seed: 17, dtype: ScalarType.Float64);
        var choice = context.Register("op", ["linear", "tanh", "relu"]);
        using (no_grad()) choice.Alpha.copy_(tensor(new[] { 0.2, -0.4, 0.1 }, dtype: ScalarType.Float64));
        var candidates = new Module<Tensor, Tensor>[]
        {
            Linear(3, 4),
            Sequential(Linear(3, 4), Tanh()),
            Sequential(Linear(3, 4), ReLU()),
        };
        using var model = new MixedOperation("op", choice, candidates);
        model.to(ScalarType.Float64);
        context.Mode = SupernetMode.Weighted;
        Parameter[] weights = model.parameters().ToArray();
        Parameter alpha = choice.Alpha;

        using Tensor xTrain = randn(8, 3, dtype: ScalarType.Float64), xVal = randn(8, 3, dtype: ScalarType.Float64);
        using Tensor yTrain = randint(0, 4, 8), yVal = randint(0, 4, 8);
        Tensor TrainLoss() => functional.cross_entropy(model.call(xTrain), yTrain);
        Tensor ValidationLoss() => functional.cross_entropy(model.call(xVal), yVal);
        const double xi = 0.5;

        Tensor[] analytic = DartsGradients.Unrolled(weights, context.ArchitectureParameters, TrainLoss, ValidationLoss, xi);
        double[] gradient = analytic[0].data<double>().ToArray();

        // f(α) = L_val(w − ξ ∇_w L_train(w, α), α), the inner gradient exact (autograd), the outer by central differences.
        double Unrolled(double[] a)
        {
            using (no_grad()) alpha.copy_(tensor(a, dtype: ScalarType.Float64));
            Tensor[] saved = weights.Select(w => w.detach().clone()).ToArray();
            foreach (var w in weights) w.grad?.zero_();
            using (Tensor loss = TrainLoss()) loss.backward();
            using (no_grad()) foreach (var w in weights) w.sub_(w.grad! * xi);
            double value;
            using (no_grad()) value = ValidationLoss().item<double>();
            using (no_grad()) for (int i = 0; i < weights.Length; i++) weights[i].copy_(saved[i]);
            return value;
        }
        double[] a0 = [0.2, -0.4, 0.1];
        const double h = 1e-5;
        double[] numeric = new double[3];
        for (int i = 0; i < 3; i++)
        {
            double[] plus = (double[])a0.Clone(), minus = (double[])a0.Clone();
            plus[i] += h;
            minus[i] -= h;
            numeric[i] = (Unrolled(plus) - Unrolled(minus)) / (2 * h);
        }

        // First order (∇_α L_val(w, α)) for contrast: the test must be able to tell the two apart.
        using (no_grad()) alpha.copy_(tensor(a0, dtype: ScalarType.Float64));
        alpha.grad?.zero_();
        using (Tensor loss = ValidationLoss()) loss.backward();
        double[] firstOrder = alpha.grad!.data<double>().ToArray();

        double scale = numeric.Max(Math.Abs);
        double tolerance = 1e-4 * scale;
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(gradient[i] - numeric[i]) <= tolerance,
                $"component {i}: second-order {gradient[i]:R}, finite differences {numeric[i]:R}");
        Assert.True(Enumerable.Range(0, 3).Max(i => Math.Abs(firstOrder[i] - numeric[i])) > 20 * tolerance,
            $"first order {string.Join(", ", firstOrder)} is too close to the unrolled gradient to make this test meaningful");
        foreach (var t in analytic) t.Dispose();
    }
}
