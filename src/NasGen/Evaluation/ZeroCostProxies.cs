using NasGen.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.Evaluation;

/// <summary>
/// Training-free scores that rank untrained networks: one forward (and backward) pass each,
/// deterministic for a given network and seed.
/// </summary>
/// <remarks>
/// Both run the network in evaluation mode (batch norm uses its running statistics, dropout is off)
/// and restore its mode afterwards. Like <see cref="Profilers"/>, they observe layers through hooks,
/// so submodules must be invoked with <c>call()</c>.
/// </remarks>
public static class ZeroCostProxies
{
    /// <summary>
    /// SynFlow (Tanaka et al., 2020): with every parameter replaced by its absolute value and an all-ones
    /// input, R = sum of the outputs; the score is <c>sum |theta * dR/dtheta|</c> over all parameters.
    /// Computed in float64 so deep networks do not overflow; the network's weights, dtype and gradients
    /// are restored afterwards (its <see cref="Parameter"/> objects are replaced by the dtype round trip,
    /// so build optimizers after scoring).
    /// </summary>
    /// <param name="model">An untrained network on any device.</param>
    /// <param name="exampleShape">Shape of one example without the batch dimension, e.g. <c>1, 8, 8</c>.</param>
    /// <returns>The score (0 when some layer blocks all signal; larger is better).</returns>
    public static double Synflow(nn.Module<Tensor, Tensor> model, params long[] exampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        ScalarType originalType = model.parameters().Select(p => p.dtype).FirstOrDefault(ScalarType.Float32);
        bool wasTraining = model.training;
        model.eval();
        model.to(ScalarType.Float64);
        try
        {
            using var scope = NewDisposeScope();
            Parameter[] parameters = model.parameters().ToArray();
            var signs = new Tensor[parameters.Length];
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    signs[i] = parameters[i].sign();
                    parameters[i].abs_();
                }
            }

            try
            {
                model.zero_grad();
                Tensor input = ones(new[] { 1L }.Concat(exampleShape).ToArray(), ScalarType.Float64, Profilers.DeviceOf(model));
                model.call(input).sum().backward();
                double score = 0;
                foreach (Parameter parameter in parameters)
                {
                    if (parameter.grad is Tensor gradient)
                    {
                        score += (parameter * gradient).abs().sum().item<double>();
                    }
                }

                return score;
            }
            finally
            {
                using (no_grad())
                {
                    for (int i = 0; i < parameters.Length; i++) parameters[i].mul_(signs[i]);
                }

                model.zero_grad();
            }
        }
        finally
        {
            model.to(originalType);
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// NASWOT (Mellor et al., 2021): the log-determinant of the kernel <c>K[i, j]</c> = number of ReLU units
    /// on which examples i and j agree (both active or both inactive), over a seeded random mini-batch.
    /// Networks whose ReLUs separate the inputs into distinct activation patterns score higher.
    /// </summary>
    /// <param name="model">An untrained network with <c>nn.ReLU</c> (or ReLU6) modules.</param>
    /// <param name="data">Where the mini-batch is drawn from.</param>
    /// <param name="batchSize">Examples in the mini-batch (the kernel is batchSize x batchSize).</param>
    /// <param name="seed">Seed of the mini-batch choice.</param>
    /// <returns><c>log |det K|</c>; negative infinity when two examples share one activation pattern.</returns>
    /// <exception cref="InvalidOperationException">No ReLU module ran in the forward pass.</exception>
    public static double Naswot(nn.Module<Tensor, Tensor> model, ClassificationData data, int batchSize = 64, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);

        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Device device = Profilers.DeviceOf(model);
            using MiniBatch batch = data.Sample(batchSize, seed, device);
            long examples = batch.Count;
            Tensor kernel = zeros(new[] { examples, examples }, ScalarType.Float64, device);
            using var hooks = new ForwardHooks(model, m => m is ReLU or ReLU6, (module, input, output) =>
            {
                Tensor codes = output.gt(0).flatten(1).to_type(ScalarType.Float64);
                Tensor inactive = 1 - codes;
                kernel.add_(codes.matmul(codes.t())).add_(inactive.matmul(inactive.t()));
            });

            model.call(batch.Features);
            if (hooks.FiredCount == 0)
            {
                throw new InvalidOperationException(
                    $"NASWOT found no ReLU module running in '{model.GetName()}': it reads binary activation codes from nn.ReLU/ReLU6 modules " +
                    "invoked with call(); functional relu() or forward() calls are invisible to it.");
            }

            var (_, logAbsDeterminant) = linalg.slogdet(kernel);
            return logAbsDeterminant.item<double>();
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
