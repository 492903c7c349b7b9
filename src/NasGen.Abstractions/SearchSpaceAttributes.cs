using System;

namespace NasGen;

/// <summary>
/// Marks a <c>partial</c> class as a search space. The NasGen generator validates it at build time and
/// emits its <c>Architecture</c> type, its <c>Space</c> descriptor and the code that builds the fixed
/// network for any architecture.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class SearchSpaceAttribute : Attribute
{
    /// <summary>The space's name in logs, stores and exported files; the class name when omitted.</summary>
    public string? Name { get; set; }
}

/// <summary>Common shape of every choice attribute: a stable label that keys the choice everywhere.</summary>
public abstract class ChoiceAttributeBase : Attribute
{
    /// <summary>
    /// The key of this choice in JSON, logs and stores. Defaults to the member name in camelCase. Set it to
    /// keep exported architectures valid when the member is renamed.
    /// </summary>
    public string? Label { get; set; }
}

/// <summary>
/// A value choice: the property takes one of the listed constants. Supported property types: int, long,
/// float, double, bool, string and enums. With no candidates, a bool chooses between false and true and an
/// enum between all of its members.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class ChoiceAttribute : ChoiceAttributeBase
{
    /// <summary>Declares the candidates, in order.</summary>
    public ChoiceAttribute(params object[] candidates) => Candidates = candidates;

    /// <summary>The candidates, in declaration order.</summary>
    public object[] Candidates { get; }
}

/// <summary>
/// A numeric range: the property (int, long, float or double) takes a value between <paramref name="min"/> and
/// <paramref name="max"/>, both included. <see cref="Step"/> quantises it (values <c>min + k·step</c>); integer
/// properties always step, by 1 unless told. <see cref="Log"/> samples and models the value in log space (both
/// bounds must then be positive). A float or double range without a step is continuous, which makes the space
/// infinite (docs/guides/numeric-ranges.md).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class RangeAttribute(double min, double max) : ChoiceAttributeBase
{
    /// <summary>The smallest value.</summary>
    public double Min { get; } = min;

    /// <summary>The largest value.</summary>
    public double Max { get; } = max;

    /// <summary>Sample and model the value in log space, as for a learning rate (both bounds positive).</summary>
    public bool Log { get; set; }

    /// <summary>The distance between neighbouring values; 0 (the default) is continuous for float and double, 1 for int and long.</summary>
    public double Step { get; set; }
}

/// <summary>
/// A layer choice: the property is one of several candidate operations. Each candidate is the name of a
/// parameterless instance method of the space (use <c>nameof</c>) that builds the module, or a module type
/// with a public parameterless constructor. The method or type name is the candidate's stable label.
/// With <see cref="Count"/> set, the choice is indexed: the property is a
/// <c>ModuleList&lt;Module&lt;Tensor, Tensor&gt;&gt;</c> of <see cref="Count"/> positions, each choosing among the
/// same candidates on its own (labels <c>{label}.0</c>, <c>{label}.1</c>, ...), and every candidate is a method that
/// takes the position: <c>Module&lt;Tensor, Tensor&gt; Shuffle3x3(int block)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class LayerChoiceAttribute : ChoiceAttributeBase
{
    /// <summary>Declares candidate factories by method name (<c>nameof(Conv3x3)</c>).</summary>
    public LayerChoiceAttribute(params string[] factories) => Candidates = factories;

    /// <summary>Declares candidate module types, each built with its parameterless constructor.</summary>
    public LayerChoiceAttribute(params Type[] moduleTypes) => Candidates = moduleTypes;

    /// <summary>The candidates: method names or types.</summary>
    public object[] Candidates { get; }

    /// <summary>
    /// The number of positions of an indexed layer choice (0, the default: a single choice). Each position is its own
    /// dimension and, in a supernet, its own mixed operation; the architecture holds a <c>NasGen.LayerChoices&lt;T&gt;</c>.
    /// </summary>
    public int Count { get; set; }
}

/// <summary>How an input choice combines the tensors it selected.</summary>
public enum InputReduction
{
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise mean.</summary>
    Mean,
    /// <summary>Concatenation along dimension 1 (channels).</summary>
    Concat,
}

/// <summary>
/// An input choice: of <paramref name="candidates"/> incoming tensors, the architecture selects
/// <paramref name="chosen"/>, combined by <paramref name="reduction"/>. The property's type is
/// <c>NasGen.InputChoice</c>; call <c>Select(...)</c> on it in <c>forward</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class InputChoiceAttribute(int candidates, int chosen = 1, InputReduction reduction = InputReduction.Sum) : ChoiceAttributeBase
{
    /// <summary>How many tensors are offered.</summary>
    public int Candidates { get; } = candidates;

    /// <summary>How many of them the architecture selects.</summary>
    public int Chosen { get; } = chosen;

    /// <summary>How the selected tensors are combined.</summary>
    public InputReduction Reduction { get; } = reduction;
}

/// <summary>
/// A depth choice: the property is a <c>Sequential</c> of between <paramref name="min"/> and
/// <paramref name="max"/> blocks, block <c>i</c> built by the instance method named
/// <paramref name="blockFactory"/>, which takes the block index (<c>Module MakeBlock(int index)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class RepeatAttribute(int min, int max, string blockFactory) : ChoiceAttributeBase
{
    /// <summary>The fewest blocks (may be 0: the Sequential is then the identity).</summary>
    public int Min { get; } = min;

    /// <summary>The most blocks.</summary>
    public int Max { get; } = max;

    /// <summary>The instance method that builds block <c>i</c>.</summary>
    public string BlockFactory { get; } = blockFactory;
}

/// <summary>
/// A nested search space: the property's type is another <c>[SearchSpace]</c> class, whose choices become
/// part of this space under this property's label. The sub-network is built with the nested space's
/// constructor that takes only its architecture, or with <see cref="Factory"/> when set.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class SubSpaceAttribute : ChoiceAttributeBase
{
    /// <summary>
    /// Optional instance method that builds the nested network from its architecture,
    /// e.g. <c>Head MakeHead(Head.Architecture architecture)</c>.
    /// </summary>
    public string? Factory { get; set; }
}

/// <summary>
/// Marks a <c>static bool Name(Architecture architecture)</c> method as a constraint: architectures for
/// which it returns false are never enumerated, sampled or proposed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ConstraintAttribute : Attribute;

/// <summary>
/// Makes this <c>partial</c> class the fixed network of an exported architecture: at build time the generator reads
/// the architecture JSON at <see cref="Path"/> (listed in the project's <c>AdditionalFiles</c>), checks it against
/// the search space and writes the class body — the space's members with every choice resolved, only the chosen
/// operations, no NasGen types. A JSON that does not fit the space is a compile error at this attribute.
/// </summary>
/// <param name="space">The <c>[SearchSpace]</c> class the architecture belongs to.</param>
/// <param name="path">The architecture JSON, relative to this source file (or the end of an AdditionalFiles path).</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class FixedArchitectureAttribute(Type space, string path) : Attribute
{
    /// <summary>The search space class.</summary>
    public Type Space { get; } = space;

    /// <summary>The architecture JSON file.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// A cell: a DAG whose edges carry operations. The property's type is <c>NasGen.Cell&lt;TOp&gt;</c> and
/// <see cref="Ops"/> is the enum <c>TOp</c> of the operations; <see cref="Factory"/> names an instance method
/// <c>Module&lt;Tensor, Tensor&gt; Make(TOp op, CellEdge edge)</c> that builds one edge's operation (also for a
/// <c>None</c>/<c>Zero</c> member: return <c>new ZeroOp(stride)</c>). Two forms:
/// <list type="bullet">
/// <item><c>[Cell(nodes, ops, factory)]</c> — NAS-Bench-201: node 0 is the input, every edge i→j carries an op,
/// a node sums its incoming edges, the last node is the output.</item>
/// <item><c>[Cell(inputNodes, intermediateNodes, chosen, ops, factory)]</c> — DARTS/NASNet: each intermediate node
/// picks <c>chosen</c> predecessors, each with an op; the output concatenates the intermediate nodes.</item>
/// </list>
/// The cell's choices are part of the space (labels <c>{label}.edge{j}-{i}</c>, or <c>{label}.node{m}.inputs</c> and
/// <c>{label}.node{m}.op{t}</c>); the architecture member is a <c>NasGen.CellArchitecture&lt;TOp&gt;</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class CellAttribute : ChoiceAttributeBase
{
    /// <summary>A NAS-Bench-201 cell of <paramref name="nodes"/> nodes (the input included).</summary>
    public CellAttribute(int nodes, Type ops, string factory)
    {
        Nodes = nodes;
        Ops = ops;
        Factory = factory;
    }

    /// <summary>A DARTS cell: <paramref name="intermediateNodes"/> nodes each choosing <paramref name="chosen"/> inputs.</summary>
    public CellAttribute(int inputNodes, int intermediateNodes, int chosen, Type ops, string factory)
    {
        InputNodes = inputNodes;
        IntermediateNodes = intermediateNodes;
        Chosen = chosen;
        Ops = ops;
        Factory = factory;
    }

    /// <summary>NAS-Bench-201 form: the number of nodes (0 for the DARTS form).</summary>
    public int Nodes { get; }

    /// <summary>DARTS form: the number of input nodes.</summary>
    public int InputNodes { get; }

    /// <summary>DARTS form: the number of intermediate nodes.</summary>
    public int IntermediateNodes { get; }

    /// <summary>DARTS form: the predecessors each intermediate node chooses.</summary>
    public int Chosen { get; }

    /// <summary>The enum of the operations.</summary>
    public Type Ops { get; }

    /// <summary>The instance method that builds an edge's operation.</summary>
    public string Factory { get; }

    /// <summary>DARTS form: whether a node's inputs are distinct predecessors (the default) or independent slots that may repeat one (ENAS).</summary>
    public CellInputs Inputs { get; set; }

    /// <summary>DARTS form: whether the cell outputs every intermediate node (the default) or only the nodes no other node reads.</summary>
    public CellOutput Output { get; set; }
}

/// <summary>How a DARTS-form cell's node picks its <c>chosen</c> inputs.</summary>
public enum CellInputs
{
    /// <summary>
    /// <c>chosen</c> distinct predecessors, one operation on each (DARTS, NASNet): the choice of node <c>m</c> is a
    /// set of predecessors and an operation per member.
    /// </summary>
    Distinct,

    /// <summary>
    /// <c>chosen</c> independent slots, each a predecessor and an operation, so a node may read one predecessor
    /// twice through two operations (ENAS micro, Pham et al. 2018). Slots are ordered: slot 0 and slot 1 are
    /// separate choices, as in ENAS's sampler.
    /// </summary>
    WithRepetition,
}

/// <summary>What a DARTS-form cell outputs.</summary>
public enum CellOutput
{
    /// <summary>The channel concatenation of every intermediate node (DARTS).</summary>
    AllNodes,

    /// <summary>
    /// The concatenation of the "loose ends", the intermediate nodes no other node reads (ENAS, NASNet). A supernet
    /// cell returns every node with the read ones zeroed on the path, so its width is fixed.
    /// </summary>
    LooseEnds,
}
