using RaftBurrow.Cli;

namespace RaftBurrow.Client.Tests.Support;

/// <summary>Runs the CLI in-process and captures its output.</summary>
public static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
