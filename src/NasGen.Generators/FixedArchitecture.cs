using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;

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
        else if (!space.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.SearchSpaceAttribute))
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

    public static void Emit(SourceProductionContext output, FixedRequest request, ImmutableArray<(string FullName, string Template)> templates,
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
            foreach (var (name, text) in templates)
                if (name == fullName) return byName[fullName] = NetworkTemplate.Deserialize(text);
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

    private static int[]? ReadCodes(FixedRequest request, NetworkTemplate template, NetworkSourceRenderer renderer, ArchitectureFile file,
        Action<DiagnosticDescriptor, string[]> report)
    {
        string fileName = request.Path;
        JsonNode root;
        try
        {
            root = ArchitectureJson.Parse(file.Text!);
        }
        catch (JsonSyntaxException e)
        {
            report(DiagnosticDescriptors.MalformedArchitectureFile, [request.ClassName, fileName, Line(e.Line), "malformed JSON: " + e.Message]);
            return null;
        }
        if (root.Kind != JsonKind.Object)
        {
            report(DiagnosticDescriptors.MalformedArchitectureFile, [request.ClassName, fileName, Line(root.Line), "an architecture file holds one JSON object"]);
            return null;
        }

        var dimensions = renderer.Dimensions(template, "");
        var codes = Enumerable.Repeat(-1, dimensions.Count).ToArray();
        var labels = string.Join(", ", dimensions.Select(d => d.Label));
        bool ok = true;
        string? fingerprint = null;
        int fingerprintLine = root.Line;

        void Walk(JsonNode node, string prefix)
        {
            foreach (var property in node.Properties)
            {
                string label = prefix + property.Key;
                if (prefix.Length == 0 && property.Key.StartsWith("$", StringComparison.Ordinal))
                {
                    if (property.Key == "$fingerprint" && property.Value.Kind == JsonKind.String)
                    {
                        fingerprint = property.Value.Text;
                        fingerprintLine = property.Value.Line;
                    }
                    continue;
                }
                int index = dimensions.FindIndex(d => d.Label == label);
                if (index < 0 && property.Value.Kind == JsonKind.Object && dimensions.Any(d => d.Label.StartsWith(label + ".", StringComparison.Ordinal)))
                {
                    Walk(property.Value, label + ".");
                    continue;
                }
                if (index < 0)
                {
                    report(DiagnosticDescriptors.UnknownArchitectureLabel, [request.ClassName, fileName, Line(property.Value.Line), label, template.SpaceName, labels]);
                    ok = false;
                    continue;
                }
                var choice = dimensions[index].Choice;
                codes[index] = Match(choice, property.Value);
                if (codes[index] < 0)
                {
                    string candidates = string.Join(", ", Enumerable.Range(0, choice.CandidateCount).Select(choice.Token));
                    report(DiagnosticDescriptors.ArchitectureValueNotACandidate, [request.ClassName, fileName, Line(property.Value.Line), label, property.Value.ToString(), candidates]);
                    ok = false;
                }
            }
        }
        Walk(root, "");

        for (int i = 0; i < dimensions.Count && ok; i++)
        {
            if (codes[i] >= 0) continue;
            var choice = dimensions[i].Choice;
            report(DiagnosticDescriptors.MissingArchitectureLabel, [request.ClassName, fileName, dimensions[i].Label,
                string.Join(", ", Enumerable.Range(0, choice.CandidateCount).Select(choice.Token))]);
            ok = false;
        }
        if (!ok) return null;

        string current = renderer.Fingerprint(template);
        if (fingerprint is not null && fingerprint != current)
        {
            report(DiagnosticDescriptors.ArchitectureFromAnotherSpace, [request.ClassName, fileName, Line(fingerprintLine),
                $"the search space '{template.SpaceName}' has changed since this architecture was exported (fingerprint {fingerprint}, now {current}); check the architecture still means what you want and export it again, or remove \"$fingerprint\" to accept it as it is"]);
            return null;
        }
        return codes;
    }

    private static string Line(int line) => line.ToString(CultureInfo.InvariantCulture);

    // The candidate a JSON value names, as NasGen's runtime reads architecture JSON; -1 when none.
    private static int Match(ChoiceTemplate choice, JsonNode value)
    {
        switch (choice.Kind)
        {
            case TemplateChoiceKind.Input:
                if (value.Kind != JsonKind.Array || value.Items.Any(i => i.Kind != JsonKind.Number)) return -1;
                var indices = new List<int>();
                foreach (var item in value.Items)
                {
                    if (!int.TryParse(item.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index) || indices.Contains(index)) return -1;
                    indices.Add(index);
                }
                indices.Sort();
                string token = "[" + string.Join(",", indices) + "]";
                return IndexOfToken(choice, token);
            case TemplateChoiceKind.Repeat:
                return value.Kind == JsonKind.Number ? IndexOfToken(choice, value.Text) : -1;
            case TemplateChoiceKind.Layer:
                return value.Kind == JsonKind.String ? IndexOfToken(choice, value.Text) : -1;
        }
        switch (choice.ValueCategory)
        {
            case "bool":
                return value.Kind is JsonKind.True or JsonKind.False ? IndexOfToken(choice, value.Kind == JsonKind.True ? "true" : "false") : -1;
            case "string":
                return value.Kind == JsonKind.String ? choice.Candidates.FindIndex(c => c.Raw == value.Text) : -1;
            case "enum":
                return value.Kind == JsonKind.String ? IndexOfToken(choice, value.Text) : -1;
            default:
                if (value.Kind != JsonKind.Number
                    || !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) return -1;
                return choice.Candidates.FindIndex(c =>
                {
                    double candidate = double.Parse(c.Token, NumberStyles.Float, CultureInfo.InvariantCulture);
                    return choice.ValueCategory == "float" ? ((float)number).Equals((float)candidate) : number.Equals(candidate);
                });
        }
    }

    private static int IndexOfToken(ChoiceTemplate choice, string token)
    {
        for (int code = 0; code < choice.CandidateCount; code++)
            if (choice.Token(code) == token) return code;
        return -1;
    }

    private static string Render(FixedRequest request, NetworkTemplate template, NetworkSourceRenderer renderer, int[] codes)
    {
        var text = new StringBuilder();
        text.Append("// <auto-generated/>\n");
        text.Append(renderer.Header(template, codes, $"NasGen.Generators {Emitter.GeneratorVersion} from {request.Path} ([FixedArchitecture])"));
        text.Append("#nullable enable\n\n");
        var usings = renderer.Usings(template, request.Namespace);
        foreach (string u in usings) text.Append(u).Append('\n');
        if (usings.Count > 0) text.Append('\n');
        if (request.Namespace.Length > 0)
            text.Append("namespace ").Append(string.Join(".", request.Namespace.Split('.').Select(CSharpIdentifiers.Escape))).Append(";\n\n");
        text.Append(renderer.RenderClass(template, codes, CSharpIdentifiers.Escape(request.ClassName), "", "partial class", includeDocumentation: false));
        return text.ToString();
    }
}
