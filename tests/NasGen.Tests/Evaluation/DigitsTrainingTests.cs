using System.Linq;
using NasGen.Data;
using NasGen.Evaluation;
using static TorchSharp.torch;

namespace NasGen.Tests.Evaluation;

/// <summary>Proves TorchSharp's native library loads and learns on this machine (see eng/TorchSharpNativeFix.targets).</summary>
public class DigitsTrainingTests
{
    [Fact]
    public void Small_conv_net_learns_digits_on_cpu()
    {
        using ClassificationData digits = Datasets.Digits();
        using DataSplit split = digits.Split(0.7, 0.15, seed: 1);
        var trainer = new ClassificationTrainer<WidthArchitecture>(TestNetworks.Create, split.Train, split.Validation, new TrainerOptions
        {
            Epochs = 6, BatchSize = 32, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Device = CPU,
        });

        TestReport result = trainer.TrainAndTest(new WidthArchitecture(8), split.Test, seed: 1);

        var history = result.Training.History;
        Assert.Equal(6, history.Count);
        Assert.True(history[0].TrainLoss > history[^1].TrainLoss * 2, $"loss should fall: {string.Join(", ", history.Select(h => h.TrainLoss))}");
        Assert.True(history[^1].ValidationAccuracy > 0.85, $"validation accuracy {history[^1].ValidationAccuracy}");
        Assert.True(result.TestAccuracy > 0.85, $"test accuracy {result.TestAccuracy} (chance is 0.1)");
        Assert.Equal(8 * 9 + 8 + 8 * 16 * 10 + 10, result.Training.Parameters);
    }
}
