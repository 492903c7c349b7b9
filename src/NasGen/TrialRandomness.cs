using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen;

/// <summary>
/// Keeps a seeded trial's random numbers its own when trials train at the same time in one process
/// (<c>ExperimentOptions.Concurrency</c>), where they share libtorch's global generator.
/// </summary>
internal static class TrialRandomness
{
    /// <summary>Held while a trial seeds the global generator and draws from it (weight initialisation).</summary>
    public static readonly object GlobalGenerator = new();

    /// <summary>
    /// Makes every <see cref="Dropout"/> in <paramref name="model"/> draw its masks from <paramref name="generator"/>
    /// instead of the global generator, until disposed.
    /// </summary>
    public static IDisposable OwnDropout(nn.Module model, Generator generator)
    {
        var removals = new List<Action>();
        foreach (Dropout dropout in new[] { model }.Concat(model.modules()).OfType<Dropout>().Distinct())
        {
            Tensor? pendingInput = null;
            // In training, the module's own forward gets an empty batch (it draws nothing from the global generator)...
            var beforeHook = dropout.register_forward_pre_hook((module, input) =>
            {
                if (!module.training || !(dropout.p > 0 && dropout.p < 1)) return input;
                pendingInput = input;
                return input.narrow(0, 0, 0);
            });
            // ...and the mask comes from the trial's generator, scaled as dropout scales it.
            var afterHook = dropout.register_forward_hook((_, _, emptyOutput) =>
            {
                if (pendingInput is not Tensor input) return emptyOutput;
                pendingInput = null;
                emptyOutput.Dispose();
                double keep = 1 - dropout.p;
                using Tensor mask = empty_like(input).bernoulli_(keep, generator);
                return input * mask / keep;
            });
            removals.Add(() =>
            {
                beforeHook.remove();
                afterHook.remove();
            });
        }

        return new Removal(removals);
    }

    private sealed class Removal(List<Action> removals) : IDisposable
    {
        public void Dispose()
        {
            removals.ForEach(remove => remove());
            removals.Clear();
        }
    }
}
