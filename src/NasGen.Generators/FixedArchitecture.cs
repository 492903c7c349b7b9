using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;
using NasGen.Json;

namespace NasGen.Generators;

/// <summary>A <c>[FixedArchitecture]</c> class, as plain data.</summary>
internal sealed record FixedRequest(
    string Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    string SpaceFullName,
    string Path,
    string SourceFile,
    TextSpan AttributeSpan,
    LinePositionSpan AttributeLineSpan,
    string Problem);

/// <summary>An architecture JSON listed in AdditionalFiles.</summary>
internal sealed record ArchitectureFile(string Path, string? Text);

/// <summary>Reads <c>[FixedArchitecture]</c> classes and writes their bodies from the architecture JSON.</summary>
internal static class FixedArchitecture
{
    public static FixedRequest? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration) return null;
        var attribute = context.Attributes.FirstOrDefault();
        var syntax = attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        var location = syntax?.GetLocation() ?? declaration.Identifier.GetLocation();
        var lineSpan = location.GetLineSpan();

        string problem = "";
        var space = attribute?.ConstructorArguments.Length == 2 ? attribute.ConstructorArguments[0].Value as INamedTypeSymbol : null;
        string path = attribute?.ConstructorArguments.Length == 2 ? attribute.ConstructorArguments[1].Value as string ?? "" : "";
        if (space is null || path.Length == 0) problem = "give the search space type and the architecture file: [FixedArchitecture(typeof(MySpace), \"best.arch.json\")]";
        else if (!space.GetAttributes().Any(a => KnownTypeNames.Is(a.AttributeClass, KnownTypeNames.SearchSpaceAttribute)))
            problem = $"'{space.ToDisplayString()}' is not a [SearchSpace] class";
        else if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            problem = $"declare '{type.Name}' partial so the generator can write its body";
        else if (type.TypeParameters.Length > 0 || type.IsStatic || type.TypeKind != TypeKind.Class)
            problem = $"'{type.Name}' must be a non-generic, non-static partial class";
        else if (type.ContainingType is not null)
            problem = $"'{type.Name}' must be a top-level class (not nested in '{type.ContainingType.Name}')";

        return new FixedRequest(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            ClassName: type.Name,
            ContainingTypes: EquatableArray<string>.Empty,
            SpaceFullName: space?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)) ?? "",
            Path: path,
            SourceFile: declaration.SyntaxTree.FilePath,
            AttributeSpan: location.SourceSpan,
            AttributeLineSpan: lineSpan.Span,
            Problem: problem);
    }

    public static void Emit(SourceProductionContext output, FixedRequest request, ImmutableArray<(string FullName, TemplateSource Source)> templates,
        ImmutableArray<ArchitectureFile> files)
    {
        void Report(DiagnosticDescriptor descriptor, params string[] arguments) =>
            output.ReportDiagnostic(new DiagnosticInfo(descriptor.Id, arguments.ToEquatableArray(), request.SourceFile,
                request.AttributeSpan, request.AttributeLineSpan).ToDiagnostic());

        if (request.Problem.Length > 0)
        {
            Report(DiagnosticDescriptors.CannotExportSpace, request.ClassName, request.Problem);
            return;
        }
        var byName = new Dictionary<string, NetworkTemplate>(StringComparer.Ordinal);
        NetworkTemplate? Resolve(string fullName)
        {
            if (byName.TryGetValue(fullName, out var known)) return known;
            // A copy: the pipeline caches the template, and reading the architecture bakes continuous values into it.
            foreach (var (name, source) in templates)
                if (name == fullName) return byName[fullName] = source.Template.WithOwnChoices();
            return null;
        }
        var template = Resolve(request.SpaceFullName);
        if (template is null)
        {
            Report(DiagnosticDescriptors.CannotExportSpace, request.ClassName,
                $"'{request.SpaceFullName}' is not a valid search space of this project (fix its own NASG errors; a space from a referenced assembly cannot be used here)");
            return;
        }

        var file = FindFile(request, files);
        if (file?.Text is null)
        {
            Report(DiagnosticDescriptors.ArchitectureFileNotFound, request.ClassName, request.Path);
            return;
        }

        try
        {
            NetworkSourceRenderer.CheckExportable(template);
            var renderer = new NetworkSourceRenderer(Resolve);
            var codes = ReadCodes(request, template, renderer, file, Report);
            if (codes is null) return;
            output.AddSource(HintName(request), Render(request, template, renderer, codes));
        }
        catch (NotSupportedException e)
        {
            Report(DiagnosticDescriptors.CannotExportSpace, request.ClassName, e.Message);
        }
        catch (ArgumentException e)
        {
            Report(DiagnosticDescriptors.CannotExportSpace, request.ClassName, e.Message);
        }
    }

    private static string HintName(FixedRequest request) =>
        ((request.Namespace.Length == 0 ? "" : request.Namespace + ".") + request.ClassName + ".Fixed.g.cs").Replace("@", "");

    // The path is relative to the file that holds the attribute; failing that, the end of an AdditionalFiles path.
    private static ArchitectureFile? FindFile(FixedRequest request, ImmutableArray<ArchitectureFile> files)
    {
        string relative = request.Path.Replace('\\', '/');
        int slash = request.SourceFile.Replace('\\', '/').LastIndexOf('/');
        string directory = slash < 0 ? "" : request.SourceFile.Replace('\\', '/').Substring(0, slash + 1);
        string expected = Normalize(relative.StartsWith("/", StringComparison.Ordinal) ? relative : directory + relative);
        return files.FirstOrDefault(f => Normalize(f.Path.Replace('\\', '/')) == expected)
            ?? files.FirstOrDefault(f => ("/" + Normalize(f.Path.Replace('\\', '/'))).EndsWith("/" + Normalize(relative), StringComparison.Ordinal));
    }

    private static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (string part in path.Split('/'))
        {
            if (part == "." || (part.Length == 0 && parts.Count > 0)) continue;
            if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..") parts.RemoveAt(parts.Count - 1);
            else parts.Add(part);
        }
        return string.Join("/", parts);
    }

    // The file by the rules Architecture.FromJson applies at run time (src/Shared/Json): the same verdict and message.
    // A continuous range's value is baked into its choice as its one candidate, and a wide input choice's selection
    // into its choice, as EmitSource does at run time.
    private static int[]? ReadCodes(FixedRequest request, NetworkTemplate template, NetworkSourceRenderer renderer, ArchitectureFile file,
        Action<DiagnosticDescriptor, string[]> report)
    {
        var choices = renderer.Dimensions(template, "");
        var dimensions = choices.Select(d => JsonDimension(d.Label, d.Choice)).ToList();
        try
        {
            var numbers = new double[dimensions.Count];
            var codes = ArchitectureJsonReader.Read(file.Text!, template.SpaceName, renderer.Fingerprint(template), dimensions, numbers);
            renderer.BakeSelections(template, numbers);
            for (int i = 0; i < choices.Count; i++)
            {
                if (!choices[i].Choice.IsContinuousRange) continue;
                // A nested space's class is rendered once for every property of its type, so it cannot hold one property's value.
                if (choices[i].Label.IndexOf('.') >= 0)
                    throw new NotSupportedException($"'{choices[i].Label}' is a continuous range in a nested space, which [FixedArchitecture] cannot bake in yet; give it a Step");
                choices[i].Choice.BakeValue(numbers[i]);
            }
            return codes;
        }
        catch (ArchitectureJsonException e)
        {
            var descriptor = e.Problem switch
            {
                ArchitectureJsonProblem.UnknownLabel => DiagnosticDescriptors.UnknownArchitectureLabel,
                ArchitectureJsonProblem.NotACandidate => DiagnosticDescriptors.ArchitectureValueNotACandidate,
                ArchitectureJsonProblem.OutOfRange => DiagnosticDescriptors.ArchitectureValueOutOfRange,
                ArchitectureJsonProblem.MissingLabel => DiagnosticDescriptors.MissingArchitectureLabel,
                ArchitectureJsonProblem.OtherSpace => DiagnosticDescriptors.ArchitectureFromAnotherSpace,
                _ => DiagnosticDescriptors.MalformedArchitectureFile,
            };
            report(descriptor, [request.ClassName, request.Path, e.Line.ToString(CultureInfo.InvariantCulture), e.Message]);
            return null;
        }
    }

    private static JsonDimension JsonDimension(string label, ChoiceTemplate choice)
    {
        var form = choice.Kind switch
        {
            TemplateChoiceKind.Input => JsonValueForm.Inputs,
            TemplateChoiceKind.Repeat => JsonValueForm.Integer,
            TemplateChoiceKind.Layer => JsonValueForm.Name,
            _ => choice.ValueCategory switch
            {
                "bool" => JsonValueForm.Bool,
                "string" => JsonValueForm.String,
                "enum" => JsonValueForm.Name,
                "float" => JsonValueForm.Float,
                "double" => JsonValueForm.Double,
                _ => JsonValueForm.Integer,
            },
        };
        string? range = choice.HasRange ? choice.RangeText : null;
        if (choice.IsContinuousRange)
            return new JsonDimension(label, form, 1, _ => range!, _ => -1, continuous: choice.ContinuousValue, range: range);
        // A wide input choice has one code (0); its selection is read into the numbers, as Dimension.ToJsonDimension does.
        if (choice.IsWideInput)
            return new JsonDimension(label, form, 1, _ => InputSubsets.Describe(choice.Inputs, choice.Chosen), _ => -1,
                selection: token => InputSubsets.SelectionNumber(token, choice.Inputs, choice.Chosen));
        return new JsonDimension(label, form, choice.CandidateCount, choice.Token, choice.IndexOfToken, code => choice.Candidates[code].Raw, range: range);
    }

    private static string Render(FixedRequest request, NetworkTemplate template, NetworkSourceRenderer renderer, int[] codes)
    {
        var text = new StringBuilder();
        text.Append("// <auto-generated/>\n");
        text.Append(renderer.Header(template, codes, $"NasGen.Generators {Emitter.GeneratorVersion} from {request.Path} ([FixedArchitecture])"));
        text.Append("#nullable enable\n\n");
        string namespaceText = string.Join(".", request.Namespace.Split('.').Where(p => p.Length > 0).Select(CSharpIdentifiers.Escape));
        renderer.AppendUsingsAndNamespace(text, template, request.Namespace, namespaceText);
        text.Append(renderer.RenderClass(template, codes, CSharpIdentifiers.Escape(request.ClassName), "", "partial class", includeDocumentation: false));
        return text.ToString();
    }
}
