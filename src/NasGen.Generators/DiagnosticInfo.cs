using Microsoft.CodeAnalysis.Text;

namespace NasGen.Generators;

/// <summary>
/// A diagnostic as plain data (descriptor id, message arguments, file and span), so it can travel
/// through the incremental pipeline and compare by value.
/// </summary>
internal sealed record DiagnosticInfo(string Id, EquatableArray<string> Arguments, string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        location ??= Location.None;
        var lineSpan = location.GetLineSpan();
        return new DiagnosticInfo(descriptor.Id, arguments.ToEquatableArray(), location.SourceTree?.FilePath ?? lineSpan.Path ?? "",
            location.SourceSpan, lineSpan.Span);
    }

    public Diagnostic ToDiagnostic()
    {
        var location = FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);
        object[] args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(DiagnosticDescriptors.ById(Id), location, args);
    }
}
