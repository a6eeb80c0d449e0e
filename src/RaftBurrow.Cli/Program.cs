using RaftBurrow.Cli;

// Thin entry point: everything lives in CliApp so tests run the same code in-process.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the running command stop cleanly (bench prints its summary)
    cancel.Cancel();
};
return await CliApp.RunAsync(args, Console.Out, Console.Error, cancel.Token);
