namespace RaftBurrow.Jepsen.Cli;

/// <summary>Options of `jepsen-style test` (and of `check`, which reuses the checker knobs).</summary>
public sealed record TestOptions
{
    /// <summary>Number of server nodes (127.0.0.1..N).</summary>
    public int Nodes { get; init; } = 3;
    /// <summary>Workload duration in seconds.</summary>
    public double TimeLimitSeconds { get; init; } = 60;
    /// <summary>Target total rate, workload steps per second.</summary>
    public double Rate { get; init; } = 20;
    /// <summary>Concurrent workers.</summary>
    public int Concurrency { get; init; } = 8;
    /// <summary>queue, fifo, lease or idempotent.</summary>
    public string Workload { get; init; } = "queue";
    /// <summary>Nemeses, each name[:mode] (kill, pause, partition, clock, leader-move), or none.</summary>
    public IReadOnlyList<string> Nemeses { get; init; } = [];
    /// <summary>Seed of every random choice (printed, so a run can be replayed as far as timing allows).</summary>
    public long Seed { get; init; }
    /// <summary>Whether --seed was given.</summary>
    public bool SeedGiven { get; init; }
    /// <summary>A built server (apphost, dll or directory); when null the harness builds it.</summary>
    public string? ServerBinary { get; init; }
    /// <summary>Build the server even when --server-binary is not given (the default) — or force it.</summary>
    public bool Build { get; init; }
    /// <summary>Repository root (found from the working directory when null).</summary>
    public string? Repo { get; init; }
    /// <summary>Where runs are stored.</summary>
    public string Store { get; init; } = "store";
    /// <summary>Partition count P of the cluster.</summary>
    public int Partitions { get; init; } = 4;
    /// <summary>Mean quiet and fault length, seconds.</summary>
    public double NemesisIntervalSeconds { get; init; } = 10;
    /// <summary>Client request deadline.</summary>
    public int RequestTimeoutMs { get; init; } = 5000;
    /// <summary>Claim ttl.</summary>
    public int ClaimTtlSeconds { get; init; } = 60;
    /// <summary>Claim grace.</summary>
    public int ClaimGraceSeconds { get; init; } = 60;
    /// <summary>Queues of the queue workload.</summary>
    public int Queues { get; init; } = 3;
    /// <summary>Consumer mode of the queue and fifo workloads (pop, claim, mixed); null for the workload's default.</summary>
    public string? Consumer { get; init; }
    /// <summary>Largest clock offset the clock nemesis applies.</summary>
    public long ClockSkewMs { get; init; } = 2000;
    /// <summary>Clock-skew bound the lease checker allows; default 2×clock skew when the clock nemesis runs, else 1000.</summary>
    public double? LeaseSkewBoundMs { get; init; }
    /// <summary>Seconds to wait for every partition to have a leader, at start and after the heal.</summary>
    public double ReadyTimeoutSeconds { get; init; } = 60;
    /// <summary>Seconds to wait for replicas to converge after the heal and after the drain.</summary>
    public double ConvergenceTimeoutSeconds { get; init; } = 30;
    /// <summary>Deliberately unsafe server mode (acknowledge before commit) to prove the checkers catch it.</summary>
    public bool UnsafeAckBeforeCommit { get; init; }
    /// <summary>Servers snapshot every this many entries (RaftBurrow:SnapshotEveryEntries) and by a 64 KiB
    /// byte floor, so runs exercise snapshots, log compaction and snapshot installs under faults;
    /// null keeps the server's defaults (which a short run never reaches).</summary>
    public int? SnapshotEveryEntries { get; init; }
    /// <summary>iptables program.</summary>
    public string Iptables { get; init; } = "iptables";
    /// <summary>Admin path template of the leader-move nemesis.</summary>
    public string LeaderMovePath { get; init; } = "/admin/partitions/{partition}/transfer?to={node}";
    /// <summary>Bound on the linearizability checker's history size.</summary>
    public int LinMaxOps { get; init; } = 20_000;
    /// <summary>Idempotency window of the server, seconds.</summary>
    public double IdempotencyWindowSeconds { get; init; } = 600;
    /// <summary>Base URLs of an already running cluster (no processes started; process nemeses unavailable).</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>The lease checker's skew bound.</summary>
    public double EffectiveLeaseSkewBoundMs =>
        LeaseSkewBoundMs ?? (Nemeses.Any(n => n.StartsWith("clock", StringComparison.Ordinal)) ? (2.0 * ClockSkewMs) + 1000 : 1000);
}
