using System;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

/// <summary>A training recipe: numeric ranges of every form next to a categorical choice, with a constraint that reads them.</summary>
[SearchSpace(Name = "recipe")]
public partial class Recipe
{
    [Range(1e-4, 1e-1, Log = true)] public partial double LearningRate { get; }

    [Range(0, 0.5, Step = 0.1)] public partial double Dropout { get; }

    [Range(16, 256, Step = 16)] public partial int Width { get; }

    [Range(0.5, 2)] public partial float Scale { get; }

    [Range(1, 1000, Log = true)] public partial long Batch { get; }

    [Choice("sgd", "adam")] public partial string Optimizer { get; }

    public Recipe(Architecture architecture) => InitializeChoices(architecture);

    // SGD diverges below nothing but crawls at tiny rates: keep them for Adam.
    [Constraint]
    private static bool SgdNeedsARealRate(Architecture architecture) => architecture.Optimizer != "sgd" || architecture.LearningRate >= 1e-3;
}

/// <summary>Only stepped ranges: a finite space that enumerates.</summary>
[SearchSpace(Name = "stepped-recipe")]
public partial class SteppedRecipe
{
    [Range(0, 0.5, Step = 0.1)] public partial double Dropout { get; }

    [Range(16, 64, Step = 16)] public partial int Width { get; }

    [Choice("sgd", "adam")] public partial string Optimizer { get; }
}

/// <summary>Bounds at the edges of double: for exact round trips of extreme values.</summary>
[SearchSpace(Name = "extremes")]
public partial class Extremes
{
    [Range(-1e308, 1e308)] public partial double Wide { get; }

    [Range(-1e-300, 1e-300)] public partial double Tiny { get; }
}

/// <summary>A module whose width is a range and whose training recipe is a nested space.</summary>
[SearchSpace(Name = "recipe-net")]
public partial class RecipeNet : Module<Tensor, Tensor>
{
    private readonly Linear _layer;

    [Range(4, 16, Step = 4)] public partial int Hidden { get; }

    [Range(0, 0.5)] public partial double Dropout { get; }

    [SubSpace(Label = "training")] public partial Recipe TrainingRecipe { get; }

    public RecipeNet(Architecture architecture) : base(nameof(RecipeNet))
    {
        InitializeChoices(architecture);
        _layer = Linear(8, Hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => functional.dropout(_layer.forward(input), Dropout, training);
}

/// <summary>A module with a continuous and a stepped range of its own: EmitSource bakes both values in.</summary>
[SearchSpace(Name = "dropout-net")]
public partial class DropoutNet : Module<Tensor, Tensor>
{
    private readonly Linear _layer;

    [Range(4, 16, Step = 4)] public partial int Hidden { get; }

    [Range(0, 0.5)] public partial double Dropout { get; }

    public DropoutNet(Architecture architecture) : base(nameof(DropoutNet))
    {
        InitializeChoices(architecture);
        _layer = Linear(8, Hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => functional.dropout(_layer.forward(input), Dropout, training);
}

/// <summary>
/// Branin (Dixon and Szegő 1978; global minimum 0.397887 at (−π, 12.275), (π, 2.275), (9.42478, 2.475)) with a
/// categorical choice that shifts it: <c>shift = 0</c> leaves it alone, the others add 1 or 3.
/// </summary>
[SearchSpace(Name = "branin-mixed")]
public partial class BraninMixed
{
    [Range(-5, 10)] public partial double X1 { get; }

    [Range(0, 15)] public partial double X2 { get; }

    [Choice(0.0, 1.0, 3.0)] public partial double Shift { get; }

    public const double Minimum = 0.397887;

    public static double Value(Architecture a)
    {
        const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        double inner = a.X2 - b * a.X1 * a.X1 + c * a.X1 - 6;
        return inner * inner + 10 * (1 - t) * Math.Cos(a.X1) + 10 + a.Shift;
    }
}

/// <summary>
/// <see cref="BraninMixed"/> with a constraint on its ranges, x1 + x2 ≤ 10: it cuts off the minimum at (9.42478, 2.475)
/// and keeps those at (−π, 12.275) and (π, 2.275).
/// </summary>
[SearchSpace(Name = "branin-constrained")]
public partial class BraninConstrained
{
    [Range(-5, 10)] public partial double X1 { get; }

    [Range(0, 15)] public partial double X2 { get; }

    [Choice(0.0, 1.0, 3.0)] public partial double Shift { get; }

    [Constraint]
    private static bool BelowTheDiagonal(Architecture architecture) => architecture.X1 + architecture.X2 <= 10;

    public static double Value(Architecture a) =>
        BraninMixed.Value(new BraninMixed.Architecture { X1 = a.X1, X2 = a.X2, Shift = a.Shift });
}
