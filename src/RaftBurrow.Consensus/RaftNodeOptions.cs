using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace RaftBurrow.Consensus;

/// <summary>
/// Settings of the Raft groups of one node. Bound from the <c>RaftBurrow</c> configuration section
/// (docs/configuration.md); the defaults describe a single-node cluster on 127.0.0.1.
/// </summary>
public sealed class RaftNodeOptions
{
    /// <summary>This node's id (1-based).</summary>
    public int NodeId { get; set; } = 1;

    /// <summary>Where this node serves REST (also what peers forward to).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8888";

    /// <summary>IP address or DNS host name the Raft groups bind to (a name: what it resolves to at start).</summary>
    public string RaftAddress { get; set; } = "127.0.0.1";

    /// <summary>Partition p listens on RaftBasePort + p.</summary>
    public int RaftBasePort { get; set; } = 9100;

    /// <summary>Root of this node's data: <c>partitions/&lt;p&gt;/</c> and <c>cluster.json</c>.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Number of partitions P (fixed when the cluster is created).</summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Every member, this node included; empty = a single-node cluster made of this node.</summary>
    public List<ClusterMember> Peers { get; set; } = [];

    /// <summary>Lower bound of the randomized election timeout, ms (heartbeats go every half of it).</summary>
    /// <remarks>With 200 / 600 (and <see cref="RaftRequestTimeoutMs"/> 300) a killed leader's partitions
    /// accept writes again after 460–746 ms instead of 783–1187 ms (docs/benchmarks.md, "Failover");
    /// not the default because a leader-transfer test failed once in six CI runs with it.</remarks>
    public int ElectionTimeoutLowerMs { get; set; } = 300;

    /// <summary>Upper bound of the randomized election timeout, ms.</summary>
    /// <remarks>Wide (3× the lower bound) on purpose: a candidate waits for every vote, and a hung
    /// peer's vote fails only after <see cref="EffectiveRaftRequestTimeoutMs"/>; the election
    /// deadline must usually be longer than that.</remarks>
    public int ElectionTimeoutUpperMs { get; set; } = 900;

    /// <summary>
    /// Timeout of one whole Raft exchange (a vote, an append with its entries, a snapshot install), ms;
    /// 0 = the lower election timeout (DotNext's default); 300 by default. Two forces: a candidate waits for every
    /// vote, so with a hung peer (paused process, dropped packets) an election completes only if this
    /// is below the election timeout; but an append or a snapshot install that takes longer than this
    /// fails and is retried, so a lagging or cold follower never catches up if it is too short.
    /// </summary>
    public int RaftRequestTimeoutMs { get; set; } = 300;

    /// <summary>The effective <see cref="RaftRequestTimeoutMs"/>.</summary>
    public int EffectiveRaftRequestTimeoutMs => RaftRequestTimeoutMs > 0 ? RaftRequestTimeoutMs : ElectionTimeoutLowerMs;

    /// <summary>
    /// Upper bound: a partition snapshots its state at the latest every this many log entries (tests
    /// lower it to force compaction). Large entries trigger earlier, by <see cref="SnapshotMinLogBytes"/>
    /// and <see cref="SnapshotLogBytesFactor"/>.
    /// </summary>
    public int SnapshotEveryEntries { get; set; } = 100_000;

    /// <summary>
    /// A partition snapshots when the command bytes applied since its last snapshot reach
    /// max(this, last snapshot size × <see cref="SnapshotLogBytesFactor"/>): the cost of a snapshot
    /// grows with the state, so the interval grows with it. Counted per replica, in memory.
    /// </summary>
    public long SnapshotMinLogBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Multiple of the last snapshot's size of log bytes to apply before the next snapshot (see <see cref="SnapshotMinLogBytes"/>).</summary>
    public double SnapshotLogBytesFactor { get; set; } = 1.0;

    /// <summary>WAL chunk size in bytes (≥ 1 MiB: the 4 KiB default costs a file and an mmap per 128 entries).</summary>
    public int WalChunkSizeBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Where the WAL keeps the entries it writes (DotNext's <see cref="WriteAheadLog.MemoryManagementStrategy"/>):
    /// <c>SharedMemory</c> = memory-mapped chunk files, flushed with msync (the OS may evict clean pages);
    /// <c>PrivateMemory</c> = a private copy of every live chunk in process memory, flushed with a
    /// synchronous (O_SYNC) write of just the new bytes. The private copy holds every chunk not yet
    /// compacted away (it is read back in full at start-up), so resident memory grows with the log.
    /// Case-insensitive name; see <see cref="EffectiveWalMemory"/>.
    /// </summary>
    public string WalMemory { get; set; } = nameof(WriteAheadLog.MemoryManagementStrategy.SharedMemory);

    /// <summary>
    /// With <c>WalMemory=PrivateMemory</c>: write chunks with direct I/O (O_DIRECT | O_DSYNC, whole
    /// sectors), bypassing the page cache. DotNext silently falls back to ordinary writes where the file
    /// system's block size is not a multiple of 4 KiB. Refused with <c>SharedMemory</c> (it would be ignored).
    /// </summary>
    public bool WalNoBuffering { get; set; }

    /// <summary><see cref="WalMemory"/> parsed; throws <see cref="InvalidOperationException"/> for a bad name.</summary>
    public WriteAheadLog.MemoryManagementStrategy EffectiveWalMemory =>
        TryParseWalMemory(WalMemory, out var strategy)
            ? strategy
            : throw new InvalidOperationException(
                $"RaftBurrow:WalMemory must be {nameof(WriteAheadLog.MemoryManagementStrategy.SharedMemory)} or {nameof(WriteAheadLog.MemoryManagementStrategy.PrivateMemory)} (is '{WalMemory}').");

    // Names only: Enum.TryParse alone also takes numbers ("7"), which are no strategy.
    private static bool TryParseWalMemory(string? value, out WriteAheadLog.MemoryManagementStrategy strategy)
    {
        strategy = default;
        var name = value?.Trim();
        return !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && name[0] is not ('-' or '+')
            && Enum.TryParse(name, ignoreCase: true, out strategy) && Enum.IsDefined(strategy);
    }

    /// <summary>
    /// Group commit: after answering a batch, how long the leader waits at most for those callers'
    /// next commands before it takes the next batch, µs; 0 = no wait (the next batch starts at once).
    /// The wait ends as soon as they are back, and a command that finds the partition idle never waits
    /// (<see cref="BatchLinger"/>). Also the wait of a node forwarding commands to a leader.
    /// </summary>
    public int GroupCommitLingerUs { get; set; } = 1000;

    /// <summary>Lower bound between two expiry pulses of one partition, ms (a guard against a state machine
    /// whose deadline does not move after an Expire).</summary>
    public int MinExpireIntervalMs { get; set; } = 100;

    /// <summary>
    /// This node is being added to a running cluster: on its first start (no membership stored in
    /// the data directory yet) its Raft groups wait, frozen, until the leaders add it
    /// (<c>POST /admin/nodes</c>). <see cref="Peers"/> lists the current members plus this node.
    /// </summary>
    public bool Join { get; set; }

    /// <summary>Fault injection for the jepsen-style harness; ignored unless <see cref="FaultInjectionOptions.Enabled"/>.</summary>
    public FaultInjectionOptions FaultInjection { get; set; } = new();

    /// <summary>The members, with a single-node default made from this node's own settings.</summary>
    public IReadOnlyList<ClusterMember> EffectiveMembers() =>
        Peers.Count > 0
            ? Peers
            : [new ClusterMember { Id = NodeId, RaftAddress = RaftAddress, RaftBasePort = RaftBasePort, HttpUrl = HttpUrl }];

    /// <summary>Checks the settings; throws <see cref="InvalidOperationException"/> with a clear message.</summary>
    public void Validate()
    {
        if (Partitions is < 1 or > 1024)
            throw new InvalidOperationException($"RaftBurrow:Partitions must be 1..1024 (is {Partitions}).");
        if (ElectionTimeoutLowerMs < 50 || ElectionTimeoutUpperMs <= ElectionTimeoutLowerMs)
            throw new InvalidOperationException("RaftBurrow:ElectionTimeoutLowerMs must be ≥ 50 and below ElectionTimeoutUpperMs.");
        if (SnapshotEveryEntries < 1)
            throw new InvalidOperationException("RaftBurrow:SnapshotEveryEntries must be ≥ 1.");
        if (SnapshotMinLogBytes < 1)
            throw new InvalidOperationException("RaftBurrow:SnapshotMinLogBytes must be ≥ 1.");
        if (!double.IsFinite(SnapshotLogBytesFactor) || SnapshotLogBytesFactor is < 0 or > 1000)
            throw new InvalidOperationException("RaftBurrow:SnapshotLogBytesFactor must be 0..1000.");
        if (GroupCommitLingerUs is < 0 or > 100_000)
            throw new InvalidOperationException("RaftBurrow:GroupCommitLingerUs must be 0..100000.");
        if (WalChunkSizeBytes < 1024 * 1024)
            throw new InvalidOperationException("RaftBurrow:WalChunkSizeBytes must be ≥ 1 MiB.");
        if (EffectiveWalMemory != WriteAheadLog.MemoryManagementStrategy.PrivateMemory && WalNoBuffering)
            throw new InvalidOperationException("RaftBurrow:WalNoBuffering=true needs RaftBurrow:WalMemory=PrivateMemory (DotNext ignores it with shared memory).");
        var members = EffectiveMembers();
        if (members.Select(m => m.Id).Distinct().Count() != members.Count)
            throw new InvalidOperationException("RaftBurrow:Peers has duplicate ids.");
        if (members.All(m => m.Id != NodeId))
            throw new InvalidOperationException($"RaftBurrow:Peers does not list this node (NodeId {NodeId}).");
        foreach (var member in members.Where(m => !RaftEndPoints.IsValidAddress(m.RaftAddress)))
            throw new InvalidOperationException($"RaftBurrow: RaftAddress '{member.RaftAddress}' of node {member.Id} is neither an IP address nor a DNS host name.");
        // A host name of this node must resolve now: its Raft groups listen on what it resolves to.
        RaftEndPoints.ResolveListenAddress(members.Single(m => m.Id == NodeId).RaftAddress);
    }
}

/// <summary>Deliberate faults for the harness (docs/configuration.md). Honoured only when <see cref="Enabled"/>.</summary>
public sealed class FaultInjectionOptions
{
    /// <summary>Must be true for any other setting here to take effect.</summary>
    public bool Enabled { get; set; }

    /// <summary>Offsets this node's clock (the time stamped into proposals), ms.</summary>
    public long ClockOffsetMs { get; set; }

    /// <summary>Deliberately unsafe: answer a proposal once it is appended locally, before commit.</summary>
    public bool UnsafeAckBeforeCommit { get; set; }
}
