using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.OneShot;

/// <summary>The second-order DARTS architecture gradient (Liu et al., 2019, §2.3, eq. 6–8).</summary>
internal static class DartsGradients
{
    /// <summary>
    /// The gradient of the unrolled validation loss <c>L_val(w − ξ ∇_w L_train(w, α), α)</c> with respect to every
    /// alpha, as eq. 7: <c>∇_α L_val(w', α) − ξ ∇²_{α,w} L_train(w, α) ∇_{w'} L_val(w', α)</c>, the Hessian-vector
    /// product by the central difference of eq. 8, <c>(∇_α L_train(w⁺, α) − ∇_α L_train(w⁻, α)) / 2ε</c> with
    /// <c>w± = w ± ε ∇_{w'} L_val(w', α)</c> and <c>ε = 0.01 / ‖∇_{w'} L_val(w', α)‖</c>. The weights are restored and
    /// every gradient is zeroed afterwards; the caller owns the returned tensors (one per alpha, in order).
    /// </summary>
    /// <param name="weights">The supernet's weights (its <c>parameters()</c>).</param>
    /// <param name="alphas">The architecture parameters (<see cref="SupernetContext.ArchitectureParameters"/>).</param>
    /// <param name="trainLoss">Computes the training loss with the current weights (the same batch each call).</param>
    /// <param name="validationLoss">Computes the validation loss with the current weights (the same batch each call).</param>
    /// <param name="xi">The virtual step ξ (DARTS uses the weights' learning rate).</param>
    public static Tensor[] Unrolled(IReadOnlyList<Parameter> weights, IReadOnlyList<Parameter> alphas, Func<Tensor> trainLoss, Func<Tensor> validationLoss, double xi)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(alphas);
        ArgumentNullException.ThrowIfNull(trainLoss);
        ArgumentNullException.ThrowIfNull(validationLoss);
        Tensor[] saved;
        using (no_grad()) saved = weights.Select(w => w.detach().clone()).ToArray();
        try
        {
            // w' = w − ξ ∇_w L_train(w, α) (eq. 6).
            Tensor[] trainGradient = Gradients(weights, alphas, trainLoss, weights);
            using (no_grad())
                for (int i = 0; i < weights.Count; i++) weights[i].sub_(trainGradient[i] * xi);
            Dispose(trainGradient);

            // ∇_α L_val(w', α) and v = ∇_{w'} L_val(w', α).
            ZeroGradients(weights, alphas);
            using (Tensor loss = validationLoss()) loss.backward();
            Tensor[] result = GradientsOf(alphas);
            Tensor[] v = GradientsOf(weights);
            double norm;
            using (no_grad()) norm = Math.Sqrt(v.Sum(g => g.square().sum().to_type(ScalarType.Float64).item<double>()));
            double epsilon = 0.01 / Math.Max(norm, 1e-12);

            Tensor[] plus = GradientAt(weights, alphas, saved, v, epsilon, trainLoss);
            Tensor[] minus = GradientAt(weights, alphas, saved, v, -epsilon, trainLoss);
            using (no_grad())
                for (int a = 0; a < result.Length; a++) result[a].sub_((plus[a] - minus[a]) * (xi / (2 * epsilon)));
            Dispose(plus);
            Dispose(minus);
            Dispose(v);
            return result;
        }
        finally
        {
            using (no_grad())
                for (int i = 0; i < weights.Count; i++) weights[i].copy_(saved[i]);
            Dispose(saved);
            ZeroGradients(weights, alphas);
        }
    }

    // ∇_α L_train at w = saved + ε v.
    private static Tensor[] GradientAt(IReadOnlyList<Parameter> weights, IReadOnlyList<Parameter> alphas, Tensor[] saved, Tensor[] v, double epsilon, Func<Tensor> trainLoss)
    {
        using (no_grad())
            for (int i = 0; i < weights.Count; i++) weights[i].copy_(saved[i] + v[i] * epsilon);
        return Gradients(weights, alphas, trainLoss, alphas);
    }

    private static Tensor[] Gradients(IReadOnlyList<Parameter> weights, IReadOnlyList<Parameter> alphas, Func<Tensor> loss, IReadOnlyList<Parameter> of)
    {
        ZeroGradients(weights, alphas);
        using (Tensor value = loss()) value.backward();
        return GradientsOf(of);
    }

    private static Tensor[] GradientsOf(IReadOnlyList<Parameter> parameters)
    {
        using (no_grad())
            return parameters.Select(p => p.grad is { } g ? g.clone() : zeros_like(p)).ToArray();
    }

    internal static void ZeroGradients(IEnumerable<Parameter> first, IEnumerable<Parameter> second)
    {
        foreach (var p in first.Concat(second)) p.grad?.zero_();
    }

    private static void Dispose(Tensor[] tensors)
    {
        foreach (var t in tensors) t.Dispose();
    }
}
