// The namespaces most files of the runtime use, imported once for the project (what the SDK's ImplicitUsings would do;
// the repository turns that off so that each project chooses its own list).
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.IO;
global using System.Linq;
global using System.Threading;
global using System.Threading.Tasks;
// The export template classes (src/Shared/Export/NetworkTemplate.cs), which the exporter and its callers use throughout.
global using NasGen.CodeGeneration;
