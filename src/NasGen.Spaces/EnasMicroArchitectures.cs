namespace NasGen.Spaces;

/// <summary>
/// Architectures of the <see cref="EnasMicro"/> space published with ENAS (Pham et al., ICML 2018), and the conversion
/// from ENAS's <c>fixed_arc</c> strings.
/// </summary>
public static class EnasMicroArchitectures
{
    /// <summary>
    /// The cells ENAS reports as found on CIFAR-10 (paper figure 8; the authors' <c>scripts/cifar10_micro_final.sh</c>):
    /// 4.6 M parameters in the final network (table 1), 2.89 % test error.
    /// </summary>
    public static EnasMicro.Architecture Published { get; } = new(
        Cell("0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1"),
        Cell("1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1"));

    /// <summary>
    /// A cell from ENAS's <c>fixed_arc</c> notation: 20 numbers, four per intermediate node in order (input, op, input,
    /// op), inputs numbered from 0 (the two previous cells are 0 and 1), ops as <see cref="EnasMicro.Op"/>'s values.
    /// </summary>
    /// <exception cref="ArgumentException">Not 20 numbers, an op out of range, or an input a node cannot read.</exception>
    public static CellArchitecture<EnasMicro.Op> Cell(string fixedArc)
    {
        ArgumentNullException.ThrowIfNull(fixedArc);
        string[] numbers = fixedArc.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (numbers.Length != 20) throw new ArgumentException($"An ENAS micro cell has 20 numbers (input, op, input, op per node); {numbers.Length} were given.", nameof(fixedArc));
        var inputs = new int[10];
        var ops = new EnasMicro.Op[10];
        for (int slot = 0; slot < 10; slot++)
        {
            inputs[slot] = int.Parse(numbers[2 * slot], NumberStyles.None, CultureInfo.InvariantCulture);
            int op = int.Parse(numbers[2 * slot + 1], NumberStyles.None, CultureInfo.InvariantCulture);
            if (!Enum.IsDefined((EnasMicro.Op)op)) throw new ArgumentException($"Op {op} of '{fixedArc}' is not in 0..4.", nameof(fixedArc));
            ops[slot] = (EnasMicro.Op)op;
        }
        return CellArchitecture<EnasMicro.Op>.FromSlots(EnasMicro.SpaceDescriptor.NormalShape, inputs, ops);
    }
}
