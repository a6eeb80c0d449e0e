using System.Globalization;

namespace RaftBurrow.Jepsen.Cli;

/// <summary>A parsed command line: the command, its options and positional arguments.</summary>
/// <param name="Command">test, check, report, cleanup or help.</param>
/// <param name="Options">Options (defaults where not given).</param>
/// <param name="Positional">Positional arguments (e.g. the history path of `check`).</param>
/// <param name="Rest">The arguments after the command, as given.</param>
public sealed record CommandLine(string Command, TestOptions Options, IReadOnlyList<string> Positional, IReadOnlyList<string> Rest)
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: jepsen-style test [options]        run a test against local server processes
               jepsen-style check <run-dir|history.jsonl> [checker options]   re-check a stored history
               jepsen-style cleanup                remove leftover firewall chains and cgroups of crashed runs

        test options (defaults in brackets):
          --nodes N                 server nodes on 127.0.0.1..N [3]
          --time-limit S            workload seconds [60]
          --rate R                  workload steps per second, all workers together [20]
          --concurrency C           concurrent clients [8]
          --workload W              queue | fifo | lease | idempotent [queue]
          --nemesis N[,N...]        kill | pause | partition | clock | leader-move | membership | none, each optionally
                                    name:mode (kill/pause: one|leader|majority; partition: halves|
                                    isolate-leader|bridge|one-way) [none]
          --seed X                  seed of every random choice [random, printed]
          --server-binary PATH      a built raftburrow (apphost, .dll or its directory) [build it]
          --build                   build src/RaftBurrow.Server in Release first (default without --server-binary)
          --repo DIR                repository root [found from the working directory]
          --store DIR               where runs are written [store]
          --partitions P            Raft partitions [4]
          --nemesis-interval S      mean quiet/fault length [10]
          --request-timeout-ms MS   client deadline; later answers are indeterminate [5000]
          --claim-ttl S  --claim-grace S   [60, 60]
          --queues N                queues of the queue workload [3]
          --consumer M              how queue/fifo consumers take messages: pop | claim (claim, then
                                    delete each) | mixed [fifo: pop, queue: mixed]
          --clock-skew-ms MS        largest clock offset of the clock nemesis [2000]
          --lease-skew-bound-ms MS  skew the lease checker tolerates [2*clock-skew+1000 with clock, else 1000]
          --ready-timeout S         wait for leaders at start and after the heal [60]
          --convergence-timeout S   wait for equal applied indexes after heal/drain [30]
          --unsafe-ack-before-commit  start servers in the deliberately unsafe mode
          --snapshot-every N        servers snapshot every N entries (and every 64 KiB of commands),
                                    to test snapshots and installs under faults [server defaults]
          --iptables PATH           [iptables]
          --leader-move-path T      admin path with {partition} and {node}
          --lin-max-ops N           linearizability history bound [20000]
          --idempotency-window-s S  [600]
          --endpoints URL[,URL...]  test a cluster you run yourself (node i = i-th URL; no process nemeses)
        exit code: 0 valid, 1 anomalies found, 2 unknown or error
        """;

    private static readonly HashSet<string> Flags = ["--build", "--unsafe-ack-before-commit", "--help"];

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a clear message on bad input.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is "help" or "--help" or "-h")
        {
            return new CommandLine("help", new TestOptions(), [], []);
        }

        var command = args[0];
        if (command is not ("test" or "check" or "cleanup"))
        {
            throw new ArgumentException($"unknown command '{command}'");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(a);
                continue;
            }

            var eq = a.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? a[..eq] : a;
            if (Flags.Contains(name))
            {
                values[name] = eq > 0 ? a[(eq + 1)..] : "true";
                continue;
            }

            if (eq > 0)
            {
                values[name] = a[(eq + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"option {name} needs a value");
            }
        }

        var o = new TestOptions();
        var seed = Take(values, "--seed");
        o = o with
        {
            Nodes = Int(values, "--nodes", o.Nodes, 1, 9),
            TimeLimitSeconds = Dbl(values, "--time-limit", o.TimeLimitSeconds, 1, 86_400),
            Rate = Dbl(values, "--rate", o.Rate, 0.1, 100_000),
            Concurrency = Int(values, "--concurrency", o.Concurrency, 1, 1000),
            Workload = Take(values, "--workload") ?? o.Workload,
            Nemeses = ParseNemeses(Take(values, "--nemesis")),
            Seed = seed is null ? Random.Shared.NextInt64(1, 1L << 40) : Long(seed, "--seed"),
            SeedGiven = seed is not null,
            ServerBinary = Take(values, "--server-binary"),
            Build = Bool(values, "--build"),
            Repo = Take(values, "--repo"),
            Store = Take(values, "--store") ?? o.Store,
            Partitions = Int(values, "--partitions", o.Partitions, 1, 64),
            NemesisIntervalSeconds = Dbl(values, "--nemesis-interval", o.NemesisIntervalSeconds, 0.5, 3600),
            RequestTimeoutMs = Int(values, "--request-timeout-ms", o.RequestTimeoutMs, 100, 600_000),
            ClaimTtlSeconds = Int(values, "--claim-ttl", o.ClaimTtlSeconds, 1, 43_200),
            ClaimGraceSeconds = Int(values, "--claim-grace", o.ClaimGraceSeconds, 0, 43_200),
            Queues = Int(values, "--queues", o.Queues, 1, 1000),
            Consumer = Consumer(Take(values, "--consumer")),
            ClockSkewMs = Int(values, "--clock-skew-ms", (int)o.ClockSkewMs, 1, 3_600_000),
            LeaseSkewBoundMs = values.ContainsKey("--lease-skew-bound-ms") ? Dbl(values, "--lease-skew-bound-ms", 0, 0, 3_600_000) : null,
            ReadyTimeoutSeconds = Dbl(values, "--ready-timeout", o.ReadyTimeoutSeconds, 1, 3600),
            ConvergenceTimeoutSeconds = Dbl(values, "--convergence-timeout", o.ConvergenceTimeoutSeconds, 0, 3600),
            UnsafeAckBeforeCommit = Bool(values, "--unsafe-ack-before-commit"),
            SnapshotEveryEntries = values.ContainsKey("--snapshot-every") ? Int(values, "--snapshot-every", 0, 2, 100_000_000) : null,
            Iptables = Take(values, "--iptables") ?? o.Iptables,
            LeaderMovePath = Take(values, "--leader-move-path") ?? o.LeaderMovePath,
            LinMaxOps = Int(values, "--lin-max-ops", o.LinMaxOps, 1, 1_000_000),
            IdempotencyWindowSeconds = Dbl(values, "--idempotency-window-s", o.IdempotencyWindowSeconds, 1, 86_400 * 7),
            Endpoints = (Take(values, "--endpoints") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        values.Remove("--help");
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option {values.Keys.First()}");
        }

        if (!Workloads.Workloads.Names.Contains(o.Workload))
        {
            throw new ArgumentException($"unknown workload '{o.Workload}' (known: {string.Join(", ", Workloads.Workloads.Names)})");
        }

        if (o.Endpoints.Count > 0)
        {
            o = o with { Nodes = o.Endpoints.Count };
        }

        return new CommandLine(command, o, positional, args.Skip(1).ToList());
    }

    /// <summary>Known nemesis names and their modes.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NemesisModes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["kill"] = ["one", "leader", "majority"],
        ["pause"] = ["one", "leader", "majority"],
        ["partition"] = ["halves", "isolate-leader", "bridge", "one-way"],
        ["clock"] = [],
        ["leader-move"] = [],
        ["membership"] = [],
    };

    /// <summary>Validates --consumer (null: the workload's default).</summary>
    private static string? Consumer(string? text) => text is null or "pop" or "claim" or "mixed"
        ? text
        : throw new ArgumentException($"--consumer must be pop, claim or mixed, not '{text}'");

    /// <summary>Parses "kill,pause:leader,partition"; "none" or empty gives no nemesis.</summary>
    public static IReadOnlyList<string> ParseNemeses(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "none")
        {
            return [];
        }

        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var n in list)
        {
            var parts = n.Split(':', 2);
            if (!NemesisModes.TryGetValue(parts[0], out var modes))
            {
                throw new ArgumentException($"unknown nemesis '{parts[0]}' (known: {string.Join(", ", NemesisModes.Keys)}, none)");
            }

            if (parts.Length == 2 && !modes.Contains(parts[1]))
            {
                throw new ArgumentException($"nemesis {parts[0]} has no mode '{parts[1]}' (modes: {(modes.Count == 0 ? "none" : string.Join(", ", modes))})");
            }
        }

        return list;
    }

    private static string? Take(Dictionary<string, string> values, string name) => values.Remove(name, out var v) ? v : null;

    private static bool Bool(Dictionary<string, string> values, string name) => Take(values, name) is { } v && v != "false";

    private static long Long(string text, string name) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{name} must be an integer, got '{text}'");

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max)
    {
        if (Take(values, name) is not { } text)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new ArgumentException($"{name} must be an integer in {min}..{max}, got '{text}'");
        }

        return v;
    }

    private static double Dbl(Dictionary<string, string> values, string name, double fallback, double min, double max)
    {
        if (Take(values, name) is not { } text)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new ArgumentException($"{name} must be a number in {min}..{max}, got '{text}'");
        }

        return v;
    }
}
