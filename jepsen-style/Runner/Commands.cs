using System.Text.Json;
using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.Cli;
using RaftBurrow.Jepsen.Cluster;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Nemesis;
using RaftBurrow.Jepsen.Report;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Runner;

/// <summary>Entry points of the command line.</summary>
public static class Commands
{
    /// <summary>Parses and runs a command; returns the process exit code.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        CommandLine cmd;
        try
        {
            cmd = CommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("jepsen-style: " + e.Message);
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }

        switch (cmd.Command)
        {
            case "help":
                Console.WriteLine(CommandLine.Usage);
                return 0;
            case "cleanup":
                return Cleanup(cmd.Options);
            case "check":
                return Recheck(cmd);
            default:
                using (var cts = new CancellationTokenSource())
                {
                    var presses = 0;
                    Console.CancelKeyPress += (_, e) =>
                    {
                        // First Ctrl-C: stop, heal, clean up, check what we have. Second: let it die
                        // (the ProcessExit handler still removes the firewall chain and kills servers).
                        if (Interlocked.Increment(ref presses) == 1)
                        {
                            e.Cancel = true;
                            Console.Error.WriteLine("\ninterrupted: healing and stopping servers (Ctrl-C again to abort)...");
                            cts.Cancel();
                        }
                    };
                    if (!cmd.Options.SeedGiven)
                    {
                        Console.Error.WriteLine($"seed {cmd.Options.Seed} (pass --seed {cmd.Options.Seed} to reuse it)");
                    }

                    return await TestRun.RunAsync(cmd.Options, Console.Error, cts.Token);
                }
        }
    }

    private static int Recheck(CommandLine cmd)
    {
        if (cmd.Positional.Count != 1)
        {
            Console.Error.WriteLine("usage: jepsen-style check <run-dir|history.jsonl>");
            return 2;
        }

        var path = cmd.Positional[0];
        var dir = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var historyPath = Directory.Exists(path) ? Path.Combine(path, "history.jsonl") : path;
        var history = HistoryFile.Load(historyPath);
        var samplesPath = Path.Combine(dir, "cluster-samples.jsonl");
        List<ClusterSample>? samples = null;
        if (File.Exists(samplesPath))
        {
            samples = File.ReadLines(samplesPath).Where(l => l.Trim().Length > 0)
                .Select(l => JsonSerializer.Deserialize<ClusterSample>(l, HistoryFile.Json)!).ToList();
        }

        // Checker knobs (skew bound, windows) come from the stored run unless given again here.
        var options = cmd.Options;
        var stored = Path.Combine(dir, "results.json");
        if (File.Exists(stored) && !cmd.Rest.Any(a => a.StartsWith("--", StringComparison.Ordinal))
            && JsonSerializer.Deserialize<RunResults>(File.ReadAllText(stored), HistoryFile.Json)?.Options is { } original)
        {
            options = original;
        }

        var nodes = Math.Max(options.Nodes, history.Operations.Select(o => o.Node).DefaultIfEmpty(1).Max());
        var results = CheckSuite.Run(history, options, samples is { Count: > 0 } ? samples : null, nodes);
        var run = RunResults.From(Path.GetFileName(Path.GetFullPath(dir)), options, history, results, [], harnessFailed: false);
        TestRun.Summarize(run, Console.Out);
        return run.ExitCode;
    }

    private static int Cleanup(TestOptions o)
    {
        var chains = Firewall.CleanupLeftovers(o.Iptables, Console.Out);
        Console.WriteLine(chains.Count == 0 ? "no leftover firewall chains" : $"removed chains: {string.Join(", ", chains)}");
        if (CgroupJail.FindCgroup2Mount() is { } mount)
        {
            foreach (var dir in Directory.GetDirectories(mount, "raftburrow-jepsen-*"))
            {
                foreach (var leaf in Directory.GetDirectories(dir))
                {
                    TryRemove(leaf);
                }

                TryRemove(dir);
            }
        }

        return 0;
    }

    private static void TryRemove(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: false);
            Console.WriteLine($"removed cgroup {dir}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"cgroup {dir} not removed (still has processes?): {e.Message}");
        }
    }
}
