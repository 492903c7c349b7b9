// The namespaces the spaces and their architecture catalogues use, imported once for the project. The generator
// copies global usings of .NET's and TorchSharp's namespaces into every export, so an exported space still compiles
// on its own.
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.Linq;
global using TorchSharp;
global using TorchSharp.Modules;
global using static TorchSharp.torch;
global using static TorchSharp.torch.nn;
