// Shared by NasGen.Generators ([FixedArchitecture]) and NasGen (EmitSource): both write the same source.
using System.Text;
using System.Text.RegularExpressions;

namespace NasGen.Export;

/// <summary>
/// Writes the fixed network of one architecture as C# source: the space's own members with every choice replaced
/// by its value, only the chosen operations built, conditions on value choices decided, unreachable candidate
/// factories left out, and nested spaces as nested classes.
/// </summary>
internal sealed partial class NetworkSourceRenderer
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
        // A class cannot contain a member of its own name (CS0542): say so rather than write source that does not compile.
        string plainName = className.TrimStart('@');
        if (template.Choices.Any(c => c.Property == plainName || c.Field == plainName) || template.Members.Any(m => m.Name == plainName)
            || subClassNames.Values.Any(n => n.Name.TrimStart('@') == plainName))
            throw new ArgumentException(
                $"{template.SpaceName}: '{plainName}' names a member of the space (a choice, field, method or nested class), and a class cannot contain a member of its own name; choose another class name.",
                nameof(className));
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
                        : "{\n" + string.Concat(statements.Select(s => inner + s.Replace("\n", "\n" + inner) + "\n")) + new string(' ', part.Indent) + "}";
                }
                string indent = new string(' ', part.Indent);
                return statements.Count == 0 ? RemovedLine.ToString() : string.Join("\n" + indent, statements.Select(s => s.Replace("\n", "\n" + indent)));
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
                    statements.Add(Call($"{field} = {sequential}(", blocks, ");"));
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
                    statements.Add(Call($"{field} = new {choice.TypeText}(", modules, ");"));
                    break;
            }
        }
        return statements;
    }

    // A call with its arguments on one line, or, past 120 characters (a network's 276 skip positions), after the opening
    // parenthesis on lines of up to 100 characters indented one level more than the statement.
    private static string Call(string head, IEnumerable<string> arguments, string tail)
    {
        var list = arguments.ToList();
        string oneLine = head + string.Join(", ", list) + tail;
        if (oneLine.Length <= 120) return oneLine;
        var text = new StringBuilder(head);
        var line = new StringBuilder();
        for (int i = 0; i < list.Count; i++)
        {
            string argument = list[i] + (i < list.Count - 1 ? "," : "");
            if (line.Length > 0 && line.Length + 1 + argument.Length > 100)
            {
                text.Append("\n    ").Append(line);
                line.Clear();
            }
            line.Append(line.Length > 0 ? " " : "").Append(argument);
        }
        return text.Append("\n    ").Append(line).Append(tail).ToString();
    }

    private string Select(Part part, RenderContext context)
    {
        var choice = context.Template.Choices[part.Choice];
        int[] selected = choice.SelectedInputs(context.ChoiceCodes[part.Choice]);
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
}
