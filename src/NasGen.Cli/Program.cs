using System;
using NasGen.Cli;

return await NasGenCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
