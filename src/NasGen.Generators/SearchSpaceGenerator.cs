namespace NasGen.Generators;

/// <summary>
/// Compiles every <c>[SearchSpace]</c> class into its architecture type, space descriptor and fixed-network
/// construction code, and reports what is wrong with a space as diagnostics at the offending member.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SearchSpaceGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // ForAttributeWithMetadataName hands every space over again after any edit, against the new compilation: its
        // transform only wraps the declaration. What the parse and the template depend on decides whether they run.
        var declarations = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.SearchSpaceAttribute,
                // Records too, so that a [SearchSpace] record gets NASG003 rather than silence.
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (context, _) => new SpaceDeclaration(context))
            .WithTrackingName(TrackingNames.SpaceDeclarations);

        // A changed file is compared with its last version once, here (the trees of the others are the same objects).
        var environment = context.CompilationProvider
            .SelectMany(static (compilation, _) => compilation.SyntaxTrees)
            .Select(static (tree, _) => new DeclarationShape(tree))
            .Collect()
            .Combine(context.CompilationProvider.Select(static (compilation, _) => new CompilationFacts(compilation)))
            .Select(static (input, _) => new DeclarationEnvironment(input.Left.ToEquatableArray(), input.Right))
            .WithTrackingName(TrackingNames.Environment);

        var spaces = declarations
            .Combine(environment)
            .Select(static (input, _) => new ParseInput(input.Left, input.Right))
            .WithTrackingName(TrackingNames.ParseInputs)
            .Select(Parser.Parse)
            .WithTrackingName(TrackingNames.Spaces);

        var models = spaces
            .Select(static (result, _) => result.Model)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.Models);

        // A cached parse's diagnostics point where the declaration was then; moved to where it is now.
        var diagnostics = declarations.Collect()
            .Combine(spaces.Collect())
            .Select(static (input, cancellationToken) => DiagnosticPlacement.Place(input.Left, input.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Diagnostics);

        // Hint names must differ ignoring case (Größe and größe may share a namespace): all of them, to tell. Only a
        // renamed, added or removed space changes this list.
        // An invalid space's stand-ins for the members its own code uses, so that its only errors are the diagnostics.
        var stubs = spaces
            .Select(static (result, _) => result.Stub)
            .Where(static stub => stub is not null)
            .WithTrackingName(TrackingNames.Stubs);

        var hintNames = spaces
            .Select(static (result, _) => result.Model is { } model ? Emitter.HintName(model) : result.Stub is { } stub ? Emitter.HintName(stub) : null)
            .Where(static name => name is not null)
            .Collect()
            .Select(static (names, _) => names.Select(static name => name!).ToEquatableArray())
            .WithTrackingName(TrackingNames.HintNames);

        context.RegisterSourceOutput(models.Combine(hintNames), static (output, input) =>
            output.AddSource(Emitter.UniqueHintName(Emitter.HintName(input.Left!), input.Left!.FullyQualifiedName, input.Right), Emitter.Emit(input.Left!)));

        // The export template's choices come from the model alone: cached when only a method body changed.
        var exportChoices = models
            .Select(static (model, _) => new ExportChoicesModel(model!.Namespace, model.ContainingTypes, model.ClassName, model.FullyQualifiedName, model.Choices))
            .WithTrackingName(TrackingNames.ExportChoices);

        context.RegisterSourceOutput(exportChoices.Combine(hintNames), static (output, input) =>
            output.AddSource(Emitter.HintName(input.Left, input.Right), Emitter.EmitExportChoices(input.Left)));

        // Apart from the models: it holds method bodies, which change far more often than the choices.
        var exportTemplates = declarations.Collect()
            .Combine(spaces.Collect())
            .Combine(environment)
            .SelectMany(static (input, cancellationToken) => input.Left.Left
                .Zip(input.Left.Right, static (declaration, result) => (declaration, result.Model))
                .Where(static space => space.Model is not null)
                .Select(space => new TemplateInput(space.declaration, space.Model!, input.Right, cancellationToken)))
            .WithTrackingName(TrackingNames.TemplateInputs)
            .Select(Parser.BuildExportTemplate)
            .Where(static template => template is not null)
            .WithTrackingName(TrackingNames.ExportTemplates);

        context.RegisterSourceOutput(exportTemplates.Combine(hintNames), static (output, input) =>
            output.AddSource(Emitter.HintName(input.Left!, input.Right), Emitter.EmitExportTemplate(input.Left!)));

        context.RegisterSourceOutput(stubs.Combine(hintNames), static (output, input) =>
            output.AddSource(Emitter.UniqueHintName(Emitter.HintName(input.Left!), input.Left!.FullyQualifiedName, input.Right), Emitter.EmitStub(input.Left!)));

        context.RegisterSourceOutput(diagnostics, static (output, found) =>
        {
            foreach (var diagnostic in found) output.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // [FixedArchitecture] classes: a space's export template + an architecture JSON from AdditionalFiles.
        var fixedClasses = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.FixedArchitectureAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: FixedArchitecture.Parse)
            .Where(static request => request is not null)
            .WithTrackingName(TrackingNames.FixedArchitectures);

        var templates = exportTemplates
            .Select(static (export, _) => (FullName: export!.FullyQualifiedName.Substring("global::".Length), export.Template))
            .Collect();

        var architectureFiles = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".json", System.StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => new ArchitectureFile(file.Path, file.GetText(cancellationToken)?.ToString()))
            .Collect();

        context.RegisterSourceOutput(fixedClasses.Combine(templates).Combine(architectureFiles), static (output, input) =>
            FixedArchitecture.Emit(output, input.Left.Left!, input.Left.Right, input.Right));
    }
}
