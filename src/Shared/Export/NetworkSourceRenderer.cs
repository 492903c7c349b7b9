// Shared by NasGen.Generators ([FixedArchitecture]) and NasGen (EmitSource): both write the same source.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace NasGen.Export;

/// <summary>
/// Writes the fixed network of one architecture as C# source: the space's own members with every choice replaced
/// by its value, only the chosen operations built, conditions on value choices decided, unreachable candidate
/// factories left out, and nested spaces as nested classes.
/// </summary>
internal sealed class NetworkSourceRenderer
{
    // Marks a line whose content was removed (an if that does not apply, an empty InitializeChoices): dropped at the end.
    private const char RemovedLine = '\u0001';
    private const string StaticNn = "using static TorchSharp.torch.nn;";

    private readonly Func<string, NetworkTemplate?> _resolve;

    public NetworkSourceRenderer(Func<string, NetworkTemplate?> resolve) => _resolve = resolve;

    /// <summary>A whole file: header, usings, namespace and the class.</summary>
    public string RenderFile(NetworkTemplate template, IReadOnlyList<int> codes, string className, string @namespace, string producer)
    {
        CheckExportable(template);
        CheckIdentifier(className, "class name");
        if (@namespace.Length > 0)
            foreach (string part in @namespace.Split('.')) CheckIdentifier(part, "namespace");

        var text = new StringBuilder();
        text.Append(Header(template, codes, producer));
        text.Append("#nullable enable\n\n");
        AppendUsingsAndNamespace(text, template, @namespace, @namespace);
        text.Append(RenderClass(template, codes, className, "", template.Modifiers + " class", includeDocumentation: true));
        return text.ToString();
    }

    /// <summary>
    /// The using directives of the space and its nested spaces, then the namespace. The spaces' own namespaces are
    /// imported inside the target namespace: there their types win over members of the file-level imports, as they do
    /// in the space's own file (an enum named <c>where</c> must not become <c>torch.where</c> of <c>using static</c>).
    /// </summary>
    public void AppendUsingsAndNamespace(StringBuilder text, NetworkTemplate template, string targetNamespace, string namespaceText)
    {
        var fileUsings = new List<string>();
        var ownNamespaces = new List<string>();
        void Collect(NetworkTemplate t)
        {
            foreach (string u in t.Usings)
                if (!fileUsings.Contains(u)) fileUsings.Add(u);
            string own = "using " + t.OwnNamespace + ";";
            if (t.OwnNamespace.Length > 0 && t.OwnNamespace != targetNamespace && !ownNamespaces.Contains(own)) ownNamespaces.Add(own);
            foreach (var choice in t.Choices.Where(c => c.Kind == TemplateChoiceKind.SubSpace)) Collect(Resolve(choice.SubSpace));
        }
        Collect(template);
        fileUsings.RemoveAll(ownNamespaces.Contains);

        // Without a target namespace there is nothing to nest the spaces' namespaces in.
        if (namespaceText.Length == 0) fileUsings.AddRange(ownNamespaces);
        foreach (string u in fileUsings) text.Append(u).Append('\n');
        if (fileUsings.Count > 0) text.Append('\n');
        if (namespaceText.Length == 0) return;
        text.Append("namespace ").Append(namespaceText).Append(";\n\n");
        foreach (string u in ownNamespaces) text.Append(u).Append('\n');
        if (ownNamespaces.Count > 0) text.Append('\n');
    }

    /// <summary>The comment lines that open an exported file: what it is, the architecture and what produced it.</summary>
    public string Header(NetworkTemplate template, IReadOnlyList<int> codes, string producer) =>
        $"// A fixed network exported by NasGen from the search space '{Comment(template.SpaceName)}' ({Comment(template.FullName)}).\n"
        + $"// Architecture: {Comment(CanonicalString(template, codes))}\n"
        + $"// Space fingerprint: {Fingerprint(template)}\n"
        + $"// Produced by {Comment(producer)}.\n"
        + "// Only the chosen operations exist; it needs TorchSharp and nothing from NasGen.\n";

    /// <summary>
    /// The class declaration and body. <paramref name="declaration"/> is what precedes the name (<c>public sealed
    /// class</c>, or <c>partial class</c> for a [FixedArchitecture] class); lines are indented by <paramref name="indent"/>.
    /// </summary>
    public string RenderClass(NetworkTemplate template, IReadOnlyList<int> codes, string className, string indent,
        string declaration, bool includeDocumentation) =>
        PlainDocumentationReferences(ClassText(template, codes, className, indent, declaration, includeDocumentation));

    private string ClassText(NetworkTemplate template, IReadOnlyList<int> codes, string className, string indent,
        string declaration, bool includeDocumentation)
    {
        CheckExportable(template);
        if (codes.Count != DimensionCount(template))
            throw new ArgumentException($"{template.SpaceName}: {codes.Count} codes given for {DimensionCount(template)} dimensions.", nameof(codes));

        var choiceCodes = new int[template.Choices.Count];
        var subCodes = new Dictionary<int, int[]>();
        var cellCodes = new Dictionary<int, int[]>();
        var positionCodes = new Dictionary<int, int[]>();
        int at = 0;
        for (int i = 0; i < template.Choices.Count; i++)
        {
            var choice = template.Choices[i];
            if (choice.Kind == TemplateChoiceKind.SubSpace)
            {
                int length = DimensionCount(Resolve(choice.SubSpace));
                subCodes[i] = codes.Skip(at).Take(length).ToArray();
                at += length;
            }
            else if (choice.Kind is TemplateChoiceKind.Cell or TemplateChoiceKind.LayerList)
            {
                var dimensions = choice.Kind == TemplateChoiceKind.Cell ? choice.CellDimensions() : choice.PositionDimensions();
                for (int d = 0; d < dimensions.Count; d++)
                    if (codes[at + d] < 0 || codes[at + d] >= dimensions[d].Choice.CandidateCount)
                        throw new ArgumentOutOfRangeException(nameof(codes), $"{dimensions[d].Label}: code {codes[at + d]} is not a candidate.");
                (choice.Kind == TemplateChoiceKind.Cell ? cellCodes : positionCodes)[i] = codes.Skip(at).Take(dimensions.Count).ToArray();
                at += dimensions.Count;
            }
            else
            {
                if (codes[at] < 0 || codes[at] >= choice.CandidateCount)
                    throw new ArgumentOutOfRangeException(nameof(codes), $"{choice.Label}: code {codes[at]} is not a candidate.");
                choiceCodes[i] = codes[at++];
            }
        }
        var subClassNames = NameSubSpaceClasses(template, subCodes);
        var context = new RenderContext(template, choiceCodes, subClassNames, template.Usings.Contains(StaticNn)) { ClassName = className, CellCodes = cellCodes, PositionCodes = positionCodes };

        var body = new List<string>();
        void Block(IEnumerable<string> lines)
        {
            var list = lines.ToList();
            if (list.Count == 0) return;
            if (body.Count > 0) body.Add("");
            body.AddRange(list);
        }

        var moduleChoices = Enumerable.Range(0, template.Choices.Count)
            .Where(i => template.Choices[i].Kind is TemplateChoiceKind.Layer or TemplateChoiceKind.LayerList or TemplateChoiceKind.Repeat
                or TemplateChoiceKind.SubSpace or TemplateChoiceKind.Cell).ToList();
        if (moduleChoices.Count > 0)
        {
            Block(new[] { "// The chosen operations; their names are the searched network's state_dict keys, so its weights load here." }
                .Concat(moduleChoices.Select(i => $"private readonly {FieldType(i, template, subClassNames)} {CSharpIdentifiers.Escape(template.Choices[i].Field)};")));
        }

        var kept = ReachableMembers(template, choiceCodes, positionCodes);
        var members = new List<string>();
        foreach (var member in template.Members)
        {
            if (!kept.Contains(member.Name)) continue;
            var lines = RenderMember(member, context);
            if (lines.Count == 0) continue;
            // Members keep the user's grouping.
            if (members.Count > 0 && member.BlankLineBefore) members.Add("");
            members.AddRange(lines);
        }
        string membersText = string.Join("\n", members);
        Block(template.Choices.Select((c, i) => ChoiceProperty(c, i, context, membersText)).Where(p => p is not null).Select(p => p!));
        Block(members);
        foreach (int i in cellCodes.Keys.OrderBy(k => k)) Block(CellFactory(template.Choices[i], cellCodes[i]));
        if (cellCodes.Count > 0)
        {
            body.Add("");
            body.AddRange(CellTypes(template, includeZeroOp: UsesName(membersText, "ZeroOp")));
        }

        foreach (var pair in subClassNames.Where(p => p.Value.First).OrderBy(p => p.Key))
        {
            var sub = Resolve(template.Choices[pair.Key].SubSpace);
            body.Add("");
            string nested = ClassText(sub, subCodes[pair.Key], pair.Value.Name, "", "public sealed class", includeDocumentation: false);
            body.AddRange(nested.TrimEnd('\n').Split('\n'));
        }

        var text = new StringBuilder();
        if (includeDocumentation && template.Documentation.Length > 0)
            foreach (string line in template.Documentation.Split('\n')) text.Append(indent).Append(line).Append('\n');
        text.Append(indent).Append(declaration.Trim()).Append(' ').Append(className).Append(template.BaseList).Append('\n');
        text.Append(indent).Append("{\n");
        foreach (string line in body)
        {
            if (line.Length > 0) text.Append(indent).Append("    ").Append(line);
            text.Append('\n');
        }
        text.Append(indent).Append("}\n");
        return text.ToString();
    }

    private static readonly Regex ReferenceWithText = new(@"<(see|seealso)\s+cref\s*=\s*""[^""]*""\s*>(.*?)</\1>");
    private static readonly Regex Reference = new(@"<(?:see|seealso)\s+(?:cref|langword)\s*=\s*""(?:[TMPFE]:)?([^""]*)""\s*/>|<(?:paramref|typeparamref)\s+name\s*=\s*""([^""]*)""\s*/>");
    private static readonly Regex ParameterTag = new(@"^\s*///\s*<param\s+name\s*=\s*""([^""]*)""\s*>.*</param>\s*$");

    /// <summary>
    /// Documentation comments are copied as written, but in the export their references could point at nothing: the
    /// removed <c>architecture</c> parameter, a member only the generator adds, a type the consuming project lacks
    /// (CS1574, CS1734 where documentation is built). References become code text (<c>&lt;c&gt;Name&lt;/c&gt;</c>, a
    /// reference with text its text), and a one-line <c>&lt;param&gt;</c> whose name the declaration below it no
    /// longer has is dropped (CS1572).
    /// </summary>
    private static string PlainDocumentationReferences(string source)
    {
        if (!source.Contains("///")) return source;
        var lines = source.Split('\n').ToList();
        for (int i = 0; i < lines.Count; i++)
        {
            if (!lines[i].TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
            var parameter = ParameterTag.Match(lines[i]);
            if (parameter.Success && !DeclarationBelow(lines, i).Contains(parameter.Groups[1].Value))
            {
                lines.RemoveAt(i--);
                continue;
            }
            string line = ReferenceWithText.Replace(lines[i], m => m.Groups[2].Value);
            lines[i] = Reference.Replace(line, m => "<c>" + (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) + "</c>");
        }
        return string.Join("\n", lines);
    }

    /// <summary>The parameter names of the declaration a doc comment line belongs to (up to its closing parenthesis).</summary>
    private static HashSet<string> DeclarationBelow(List<string> lines, int docLine)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        int i = docLine;
        while (i < lines.Count && lines[i].TrimStart().StartsWith("///", StringComparison.Ordinal)) i++;
        for (; i < lines.Count; i++)
        {
            foreach (Match word in Regex.Matches(lines[i], @"@?\b\w+\b")) names.Add(word.Value.TrimStart('@'));
            if (lines[i].Contains(')')) break;
        }
        return names;
    }

    private string? ChoiceProperty(ChoiceTemplate choice, int index, RenderContext context, string membersText)
    {
        // Choices stay properties (a value's is its constant, a module's reads its field), except input choices, whose
        // Select calls are inlined. A private value property that only decided conditions used is left out.
        if (choice.Kind == TemplateChoiceKind.Input) return null;
        if (choice.Kind == TemplateChoiceKind.Value && choice.Accessibility == "private" && !UsesName(membersText, choice.Property)) return null;
        string body = choice.Kind == TemplateChoiceKind.Value
            ? choice.Candidates[context.ChoiceCodes[index]].Expression
            : CSharpIdentifiers.Escape(choice.Field);
        return $"{choice.Accessibility} {FieldType(index, context.Template, context.SubClassNames)} {CSharpIdentifiers.Escape(choice.Property)} => {body};";
    }

    // Whether `name` occurs in `text` as a whole identifier.
    private static bool UsesName(string text, string name)
    {
        for (int at = text.IndexOf(name, StringComparison.Ordinal); at >= 0; at = text.IndexOf(name, at + 1, StringComparison.Ordinal))
        {
            bool before = at > 0 && (char.IsLetterOrDigit(text[at - 1]) || text[at - 1] == '_');
            int end = at + name.Length;
            bool after = end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_');
            if (!before && !after) return true;
        }
        return false;
    }

    // A nested space's property has the type of its nested class; every other choice keeps its declared type.
    private static string FieldType(int index, NetworkTemplate template, Dictionary<int, (string Name, bool First)> subClassNames) =>
        template.Choices[index].Kind == TemplateChoiceKind.SubSpace ? subClassNames[index].Name : template.Choices[index].TypeText;

    // One nested class per distinct (space, architecture); a space used twice with different architectures gets a
    // second class named after the property.
    private Dictionary<int, (string Name, bool First)> NameSubSpaceClasses(NetworkTemplate template, Dictionary<int, int[]> subCodes)
    {
        var names = new Dictionary<int, (string, bool)>();
        var seen = new List<(string Space, int[] Codes, string Name)>();
        foreach (var pair in subCodes.OrderBy(p => p.Key))
        {
            var choice = template.Choices[pair.Key];
            var same = seen.FirstOrDefault(s => s.Space == choice.SubSpace && s.Codes.SequenceEqual(pair.Value));
            if (same.Name is not null)
            {
                names[pair.Key] = (CSharpIdentifiers.Escape(same.Name), false);
                continue;
            }
            // A nested class cannot share a name with a member of its class (a Head property holding a Head).
            string simple = Resolve(choice.SubSpace).ClassName;
            bool taken = template.Choices.Any(c => c.Property == simple) || template.Members.Any(m => m.Name == simple);
            string baseName = taken ? simple + "Network" : simple;
            string name = seen.Any(s => s.Name == baseName) ? choice.Property + baseName : baseName;
            if (name != baseName && choice.Factory.Length > 0)
                throw new NotSupportedException(
                    $"{template.SpaceName}: '{choice.Property}' nests {simple} with another architecture than an earlier property, through the factory {choice.Factory}; export needs one class per architecture, which a shared factory cannot build. Give the property a constructor-built [SubSpace] (no Factory).");
            seen.Add((choice.SubSpace, pair.Value, name));
            names[pair.Key] = (CSharpIdentifiers.Escape(name), true);
        }
        return names;
    }

    private static HashSet<string> ReachableMembers(NetworkTemplate template, int[] choiceCodes, Dictionary<int, int[]> positionCodes)
    {
        var roots = new List<string>();
        foreach (var member in template.Members.Where(m => !m.Droppable)) roots.Add(member.Name);
        for (int i = 0; i < template.Choices.Count; i++)
        {
            var choice = template.Choices[i];
            if (choice.Kind == TemplateChoiceKind.Layer && choice.Candidates[choiceCodes[i]].Requires.Length > 0)
                roots.Add(choice.Candidates[choiceCodes[i]].Requires);
            if (choice.Kind == TemplateChoiceKind.Repeat && choice.Min + choiceCodes[i] > 0) roots.Add(choice.Factory);
            if (choice.Kind == TemplateChoiceKind.LayerList)
                roots.AddRange(positionCodes[i].Select(code => choice.Candidates[code].Requires));
            if (choice.Kind is TemplateChoiceKind.SubSpace or TemplateChoiceKind.Cell && choice.Factory.Length > 0) roots.Add(choice.Factory);
        }
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (!kept.Add(name)) continue;
            foreach (var member in template.Members.Where(m => m.Name == name))
                foreach (string reference in member.References) pending.Push(reference);
        }
        return kept;
    }

    private List<string> RenderMember(MemberTemplate member, RenderContext context)
    {
        string text = RenderParts(member.Parts, context);
        text = Dedent(text, member.Indent);
        var lines = new List<string>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r', ' ', '\t');
            if (line.IndexOf(RemovedLine) >= 0)
            {
                line = line.Replace(RemovedLine.ToString(), "");
                if (line.Trim().Length == 0) continue;
            }
            lines.Add(line);
        }
        while (lines.Count > 0 && lines[lines.Count - 1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private string RenderParts(List<Part> parts, RenderContext context)
    {
        var text = new StringBuilder();
        foreach (var part in parts) text.Append(RenderPart(part, context));
        return text.ToString();
    }

    private string RenderPart(Part part, RenderContext context)
    {
        switch (part.Kind)
        {
            case PartKind.Text:
                return part.Text;
            case PartKind.ClassName:
                return context.ClassName;
            case PartKind.SubSpaceClass:
                int owner = context.Template.Choices.FindIndex(c => c.Kind == TemplateChoiceKind.SubSpace && c.SubSpace == part.Text);
                return owner >= 0 ? context.SubClassNames[owner].Name : part.Text;
            case PartKind.InitializeChoices:
                var statements = InitializeChoices(context);
                if (part.Flag)
                {
                    string inner = new string(' ', part.Indent + 4);
                    return statements.Count == 0 ? "{\n" + new string(' ', part.Indent) + "}"
                        : "{\n" + string.Concat(statements.Select(s => inner + s + "\n")) + new string(' ', part.Indent) + "}";
                }
                return statements.Count == 0 ? RemovedLine.ToString() : string.Join("\n" + new string(' ', part.Indent), statements);
            case PartKind.Select:
                return Select(part, context);
            default:
                int branch = part.Condition!.Holds(context.ChoiceCodes) ? 0 : 1;
                string rendered = part.Branches.Count > branch ? RenderParts(part.Branches[branch], context) : "";
                if (rendered.Length == 0) return RemovedLine.ToString();
                if (part.Indent > 0) rendered = Dedent(rendered, part.Indent, skipFirstLine: true);
                bool compound = part.BranchIsCompound.Count > branch && part.BranchIsCompound[branch];
                return part.Flag && compound ? "(" + rendered + ")" : rendered;
        }
    }

    private List<string> InitializeChoices(RenderContext context)
    {
        var statements = new List<string>();
        string sequential = context.HasStaticNn ? "Sequential" : "global::TorchSharp.torch.nn.Sequential";
        for (int i = 0; i < context.Template.Choices.Count; i++)
        {
            var choice = context.Template.Choices[i];
            int code = context.ChoiceCodes[i];
            string field = CSharpIdentifiers.Escape(choice.Field);
            string factory = CSharpIdentifiers.Escape(choice.Factory);
            switch (choice.Kind)
            {
                case TemplateChoiceKind.Layer:
                    statements.Add($"{field} = {choice.Candidates[code].Expression};");
                    break;
                case TemplateChoiceKind.Repeat:
                    int depth = choice.Min + code;
                    var blocks = Enumerable.Range(0, depth).Select(b =>
                        $"(\"{b.ToString(CultureInfo.InvariantCulture)}\", {factory}({b.ToString(CultureInfo.InvariantCulture)}))");
                    statements.Add($"{field} = {sequential}({string.Join(", ", blocks)});");
                    break;
                case TemplateChoiceKind.SubSpace:
                    statements.Add(choice.Factory.Length > 0
                        ? $"{field} = {factory}();"
                        : $"{field} = new {context.SubClassNames[i].Name}();");
                    break;
                case TemplateChoiceKind.Cell:
                    statements.Add($"{field} = New{choice.Property}(\"{choice.Field}\");");
                    break;
                case TemplateChoiceKind.LayerList:
                    // One chosen module per position, each told its position as the searched network's factory was.
                    var modules = context.PositionCodes[i].Select((chosen, position) =>
                        $"{choice.Candidates[chosen].Expression}({position.ToString(CultureInfo.InvariantCulture)})");
                    statements.Add($"{field} = new {choice.TypeText}({string.Join(", ", modules)});");
                    break;
            }
        }
        return statements;
    }

    private string Select(Part part, RenderContext context)
    {
        var choice = context.Template.Choices[part.Choice];
        int[] selected = ChoiceTemplate.InputSelection(choice.Inputs, choice.Chosen, context.ChoiceCodes[part.Choice]);
        var arguments = selected.Select(i => RenderParts(part.Branches[i], context)).ToList();
        if (selected.Length == 1)
        {
            bool compound = part.BranchIsCompound[selected[0]];
            return part.Flag && compound ? "(" + arguments[0] + ")" : arguments[0];
        }
        var operands = selected.Select((i, k) => part.BranchIsCompound[i] ? "(" + arguments[k] + ")" : arguments[k]).ToList();
        string combined = choice.Reduction switch
        {
            "Concat" => $"global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", arguments)} }}, 1)",
            "Mean" => $"({string.Join(" + ", operands)}) / {selected.Length.ToString(CultureInfo.InvariantCulture)}",
            _ => string.Join(" + ", operands),
        };
        return part.Flag && choice.Reduction != "Concat" ? "(" + combined + ")" : combined;
    }

    // ---- Cells ----------------------------------------------------------------------------------------------------

    // New<Cell>(name): the chosen edges of one cell, one line per target node, as NasGen's Cell<TOp>.Fixed builds them.
    private static List<string> CellFactory(ChoiceTemplate cell, int[] codes)
    {
        var byNode = new SortedDictionary<int, List<string>>();
        void Add(int from, int to, int op)
        {
            if (!byNode.TryGetValue(to, out var list)) byNode[to] = list = new List<string>();
            list.Add($"({ChoiceTemplate.Number(from)}, {ChoiceTemplate.Number(to)}, {cell.Candidates[op].Expression})");
        }
        if (cell.EveryEdge)
        {
            var edges = cell.CellEdges();
            for (int e = 0; e < edges.Count; e++) Add(edges[e].From, edges[e].To, codes[e]);
        }
        else
        {
            int c = 0;
            for (int m = 0; m < cell.IntermediateNodes; m++)
            {
                int[] inputs = ChoiceTemplate.InputSelection(cell.InputNodes + m, cell.Chosen, codes[c++]);
                foreach (int from in inputs) Add(from, cell.InputNodes + m, codes[c++]);
            }
        }
        var lines = new List<string>
        {
            $"// The chosen cell '{cell.Label}': its edges (from node, to node, op).",
            $"private {cell.TypeText} New{cell.Property}(string name) => new(name, inputNodes: {ChoiceTemplate.Number(cell.InputNodes)}, concatenate: {(cell.EveryEdge ? "false" : "true")}, {CSharpIdentifiers.Escape(cell.Factory)},",
        };
        var nodes = byNode.Values.ToList();
        for (int n = 0; n < nodes.Count; n++)
            lines.Add("    " + string.Join(", ", nodes[n]) + (n == nodes.Count - 1 ? ");" : ","));
        return lines;
    }

    // Stand-ins for NasGen's Cell<TOp>, CellEdge and ZeroOp, with the same names so the user's code compiles unchanged
    // and the same module names so the searched network's weights load.
    private static List<string> CellTypes(NetworkTemplate template, bool includeZeroOp)
    {
        var (module, tensor) = ModuleTypes(template);
        string text = $$"""
            /// <summary>An edge of a cell, from node <c>From</c> to node <c>To</c>.</summary>
            public readonly record struct CellEdge(int From, int To)
            {
                /// <summary>The edge's module name in its cell.</summary>
                public string Name => global::System.FormattableString.Invariant($"e{To}_{From}");
            }

            /// <summary>
            /// A fixed cell: each node after the input nodes sums its incoming edges; an edge whose op is None or Zero
            /// counts only when its node has no other edge (it gives the shape). The output is the last node, or with
            /// <c>concatenate</c> the intermediate nodes joined along the channels.
            /// </summary>
            public sealed class Cell<TOp> : {{module}} where TOp : struct, global::System.Enum
            {
                private readonly int _inputNodes;
                private readonly int _nodes;
                private readonly bool _concatenate;
                private readonly (int From, int To, bool Zero, {{module}} Op)[] _edges;

                public Cell(string name, int inputNodes, bool concatenate, global::System.Func<TOp, CellEdge, {{module}}> factory,
                    params (int From, int To, TOp Op)[] edges) : base(name)
                {
                    _inputNodes = inputNodes;
                    _concatenate = concatenate;
                    _edges = new (int, int, bool, {{module}})[edges.Length];
                    _nodes = inputNodes;
                    for (int i = 0; i < edges.Length; i++)
                    {
                        var (from, to, op) = edges[i];
                        var edge = new CellEdge(from, to);
                        string opName = op.ToString();
                        bool zero = string.Equals(opName, "None", global::System.StringComparison.OrdinalIgnoreCase)
                            || string.Equals(opName, "Zero", global::System.StringComparison.OrdinalIgnoreCase);
                        _edges[i] = (from, to, zero, factory(op, edge));
                        register_module(edge.Name, _edges[i].Op);
                        _nodes = global::System.Math.Max(_nodes, to + 1);
                    }
                }

                public override {{tensor}} forward({{tensor}} input) => Forward(input);

                /// <summary>Runs the cell on its input nodes, in order.</summary>
                public {{tensor}} Forward(params {{tensor}}[] inputs)
                {
                    if (inputs.Length != _inputNodes)
                        throw new global::System.ArgumentException($"This cell has {_inputNodes} input nodes; {inputs.Length} tensors were given.", nameof(inputs));
                    var nodes = new {{tensor}}[_nodes];
                    global::System.Array.Copy(inputs, nodes, inputs.Length);
                    for (int node = _inputNodes; node < _nodes; node++)
                    {
                        {{tensor}}? sum = null;
                        int zero = -1;
                        for (int i = 0; i < _edges.Length; i++)
                        {
                            if (_edges[i].To != node) continue;
                            if (_edges[i].Zero)
                            {
                                if (zero < 0) zero = i;
                                continue;
                            }
                            {{tensor}} output = _edges[i].Op.call(nodes[_edges[i].From]);
                            sum = sum is null ? output : sum + output;
                        }
                        nodes[node] = sum ?? _edges[zero].Op.call(nodes[_edges[zero].From]);
                    }
                    return _concatenate ? global::TorchSharp.torch.cat(nodes[_inputNodes..], 1) : nodes[^1];
                }
            }
            """;
        if (includeZeroOp)
        {
            text += $$"""


                /// <summary>The zero op: zeros shaped like the input (strided like the edge).</summary>
                public sealed class ZeroOp : {{module}}
                {
                    public ZeroOp(int stride = 1) : base("zero") => Stride = stride;

                    /// <summary>The spatial stride.</summary>
                    public int Stride { get; }

                    public override {{tensor}} forward({{tensor}} input)
                    {
                        if (Stride == 1) return global::TorchSharp.torch.zeros_like(input);
                        using var view = input.slice(2, 0, input.shape[2], Stride).slice(3, 0, input.shape[3], Stride);
                        return global::TorchSharp.torch.zeros_like(view);
                    }
                }
                """;
        }
        return text.Replace("\r", "").Split('\n').ToList();
    }

    // `Module<Tensor, Tensor>` and `Tensor` as the space's base list writes them (its usings make them resolve), or
    // fully qualified when the base list is not of that shape.
    private static (string Module, string Tensor) ModuleTypes(NetworkTemplate template)
    {
        string baseType = template.BaseList.Trim().TrimStart(':').Trim();
        int open = baseType.IndexOf('<');
        int close = baseType.LastIndexOf('>');
        if (open > 0 && close == baseType.Length - 1)
        {
            string[] arguments = baseType.Substring(open + 1, close - open - 1).Split(',');
            if (arguments.Length == 2 && arguments[0].Trim() == arguments[1].Trim() && arguments[0].IndexOf('<') < 0)
                return (baseType, arguments[0].Trim());
        }
        return ("global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>", "global::TorchSharp.torch.Tensor");
    }

    // ---- Architecture text, fingerprint, dimension counts -----------------------------------------------------

    /// <summary>The canonical architecture string (<c>label=token;...</c>), as NasGen's runtime writes it.</summary>
    public string CanonicalString(NetworkTemplate template, IReadOnlyList<int> codes)
    {
        var text = new StringBuilder();
        var dimensions = Dimensions(template, "");
        for (int i = 0; i < dimensions.Count; i++) SpaceText.AppendAssignment(text, dimensions[i].Label, dimensions[i].Choice.Token(codes[i]));
        return text.ToString();
    }

    /// <summary>The space fingerprint, as NasGen's runtime computes it: FNV-1a over every dimension's label, kind and tokens.</summary>
    public string Fingerprint(NetworkTemplate template)
    {
        var fingerprint = new FingerprintWriter();
        foreach (var (label, choice) in Dimensions(template, ""))
        {
            // A continuous range is named by its bounds alone, as the runtime names it (even once a value is baked in).
            if (choice.IsContinuousRange) fingerprint.Add(label, choice.KindName, 0, choice.Token, choice.RangeText);
            else fingerprint.Add(label, choice.KindName, choice.CandidateCount, choice.Token);
        }
        return fingerprint.ToString();
    }

    /// <summary>Every dimension of a space, nested spaces flattened with dotted labels, in code order.</summary>
    public List<(string Label, ChoiceTemplate Choice)> Dimensions(NetworkTemplate template, string prefix)
    {
        var dimensions = new List<(string, ChoiceTemplate)>();
        foreach (var choice in template.Choices)
        {
            if (choice.Kind == TemplateChoiceKind.SubSpace)
                dimensions.AddRange(Dimensions(Resolve(choice.SubSpace), prefix + choice.Label + "."));
            else if (choice.Kind == TemplateChoiceKind.Cell)
                dimensions.AddRange(choice.CellDimensions().Select(d => (prefix + d.Label, d.Choice)));
            else if (choice.Kind == TemplateChoiceKind.LayerList)
                dimensions.AddRange(choice.PositionDimensions().Select(d => (prefix + d.Label, d.Choice)));
            else
                dimensions.Add((prefix + choice.Label, choice));
        }
        return dimensions;
    }

    private int DimensionCount(NetworkTemplate template) => Dimensions(template, "").Count;

    private NetworkTemplate Resolve(string fullName) =>
        _resolve(fullName) ?? throw new NotSupportedException($"The search space {fullName} has no export template (is it compiled by this NasGen version?).");

    /// <summary>Throws <see cref="NotSupportedException"/> with the reasons when the space cannot be exported.</summary>
    public static void CheckExportable(NetworkTemplate template)
    {
        if (template.Problems.Count > 0)
            throw new NotSupportedException($"{template.SpaceName} cannot be exported as source: {string.Join("; ", template.Problems)}.");
        // A wide input choice's selection has no int code to render from (docs/diagnostics/NASG035.md).
        foreach (var choice in template.Choices)
            if (choice.Kind == TemplateChoiceKind.Input && InputSubsets.Count(choice.Inputs, choice.Chosen) is var count && count > InputSubsets.MaxCodedCount)
                throw new NotSupportedException(
                    $"{template.SpaceName} cannot be exported as source yet: input choice '{choice.Label}' has {count} selections, more than the exporter's int codes number.");
    }

    // ---- Text helpers -------------------------------------------------------------------------------------------

    // Removes up to `columns` leading spaces from every line (but the first, when it continues a line).
    private static string Dedent(string text, int columns, bool skipFirstLine = false)
    {
        if (columns <= 0) return text;
        var lines = text.Split('\n');
        for (int i = skipFirstLine ? 1 : 0; i < lines.Length; i++)
        {
            int remove = 0;
            while (remove < columns && remove < lines[i].Length && lines[i][remove] == ' ') remove++;
            lines[i] = lines[i].Substring(remove);
        }
        return string.Join("\n", lines);
    }

    // Text from a space or an architecture that goes into a // comment: never a line break.
    private static string Comment(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (char c in text) clean.Append(char.IsControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085' ? ' ' : c);
        return clean.ToString();
    }

    /// <summary>Throws unless <paramref name="name"/> is a plain C# identifier that is not a keyword.</summary>
    public static void CheckIdentifier(string name, string what)
    {
        if (!CSharpIdentifiers.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid C# {what}: use letters, digits and underscores, not starting with a digit, and not a keyword.");
    }

    private sealed class RenderContext
    {
        public RenderContext(NetworkTemplate template, int[] choiceCodes, Dictionary<int, (string Name, bool First)> subClassNames, bool hasStaticNn)
        {
            Template = template;
            ChoiceCodes = choiceCodes;
            SubClassNames = subClassNames;
            HasStaticNn = hasStaticNn;
        }

        public NetworkTemplate Template { get; }
        public int[] ChoiceCodes { get; }
        public Dictionary<int, (string Name, bool First)> SubClassNames { get; }
        public bool HasStaticNn { get; }
        public string ClassName { get; set; } = "";
        public Dictionary<int, int[]> CellCodes { get; set; } = new();

        // Indexed layer choices: the code of each position.
        public Dictionary<int, int[]> PositionCodes { get; set; } = new();
    }
}

/// <summary>C# identifier rules, without Roslyn (the runtime has none).</summary>
internal static class CSharpIdentifiers
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while", "__arglist", "__makeref", "__reftype", "__refvalue",
    };

    // Legal as names in most places, but not all (`field` in an accessor, `var` as a type, `value` in a setter, `await`
    // in an async method): generated code escapes them too, which is legal everywhere.
    private static readonly HashSet<string> ContextualKeywords = new(StringComparer.Ordinal)
    {
        "add", "alias", "allows", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic", "equals",
        "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed", "nameof",
        "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped",
        "select", "set", "unmanaged", "value", "var", "when", "where", "with", "yield",
    };

    /// <summary><paramref name="name"/> as it can be written in any position of C# source: with <c>@</c> when it is a keyword.</summary>
    public static string Escape(string name) =>
        Keywords.Contains(name) || ContextualKeywords.Contains(name) ? "@" + name : name;

    public static bool IsValid(string name)
    {
        if (string.IsNullOrEmpty(name) || Keywords.Contains(name)) return false;
        for (int i = 0; i < name.Length; i++)
        {
            var category = char.GetUnicodeCategory(name[i]);
            bool letter = name[i] == '_' || category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.LetterNumber;
            bool other = category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.Format;
            if (!(letter || (i > 0 && other))) return false;
        }
        return true;
    }
}
