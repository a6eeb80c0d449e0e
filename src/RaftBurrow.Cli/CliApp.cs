using System.CommandLine;
using RaftBurrow.Cli.Commands;
using RaftBurrow.Client;

namespace RaftBurrow.Cli;

/// <summary>The <c>raftburrow</c> command line: cluster administration, queues, messages and <c>bench</c>.</summary>
public static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build(output, error);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync("error: " + e.Message);
            }

            await error.WriteLineAsync("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>Builds the command tree; actions write to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("raftburrow: administer a RaftBurrow cluster, use its queues, and benchmark it")
        {
            globals.Url,
            globals.Json,
            globals.Project,
            globals.TimeoutSeconds,
            globals.Retries,
        };
        var runner = new ActionRunner(globals, output, error);
        root.Add(ClusterCommands.Cluster(runner));
        root.Add(ClusterCommands.Partitions(runner));
        root.Add(ClusterCommands.Leader(runner));
        root.Add(ClusterCommands.Node(runner));
        root.Add(ClusterCommands.Snapshot(runner));
        root.Add(QueueCommands.Build(runner));
        root.Add(MessageCommands.Build(runner));
        root.Add(BenchCommand.Build(runner));
        return root;
    }
}

/// <summary>Runs a command body with a <see cref="CliContext"/> and turns failures into exit codes.</summary>
public sealed class ActionRunner(GlobalOptions globals, TextWriter output, TextWriter error)
{
    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/>.</summary>
    public void Set(Command command, Func<CliContext, Task<int>> body, string? what = null) =>
        command.SetAction(async (parse, ct) =>
        {
            using var context = new CliContext(globals, parse, output, error, ct);
            try
            {
                return await body(context);
            }
            catch (RaftBurrowApiException ex)
            {
                return context.Fail(ex, what ?? command.Name);
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return ExitCodes.Usage;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await error.WriteLineAsync("cancelled");
                return 130;
            }
        });
}
