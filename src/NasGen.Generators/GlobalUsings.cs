// The namespaces most files of the generator use, imported once for the project (as the runtime's GlobalUsings.cs does;
// the source linked from src/Shared relies only on the System namespaces both projects import).
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.Linq;
global using System.Threading;
global using Microsoft.CodeAnalysis;
global using Microsoft.CodeAnalysis.CSharp;
global using Microsoft.CodeAnalysis.CSharp.Syntax;
// The export template classes (src/Shared/Export/NetworkTemplate.cs), which the exporter and its callers use throughout.
global using NasGen.CodeGeneration;
