using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// When a partition snapshots: by log bytes (max(floor, last snapshot × factor)) or by the entry
/// bound. The policy alone, then a real single-node partition (real DotNext, real disk).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SnapshotTriggerTests
{
    [Fact]
    public void The_policy_fires_by_bytes_above_the_floor_and_the_last_snapshot_size_or_by_entries()
    {
        var policy = new SnapshotPolicy(EveryEntries: 1000, MinLogBytes: 64, LogBytesFactor: 1.0);
        Assert.False(policy.IsDue(entries: 10, logBytes: 63, lastSnapshotBytes: 0));
        Assert.True(policy.IsDue(entries: 10, logBytes: 64, lastSnapshotBytes: 0));
        // A larger state waits for as many log bytes as its last snapshot had.
        Assert.False(policy.IsDue(entries: 10, logBytes: 999, lastSnapshotBytes: 1000));
        Assert.True(policy.IsDue(entries: 10, logBytes: 1000, lastSnapshotBytes: 1000));
        // The entry count bounds it for small entries.
        Assert.True(policy.IsDue(entries: 1000, logBytes: 0, lastSnapshotBytes: 1_000_000));
        // Factor 0: the floor alone.
        Assert.True(new SnapshotPolicy(1000, 64, 0).IsDue(10, 64, 1_000_000));
    }

    [Fact]
    public void Options_validate_the_snapshot_byte_settings()
    {
        Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { SnapshotMinLogBytes = 0 }.Validate());
        Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { SnapshotLogBytesFactor = -1 }.Validate());
        Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { SnapshotLogBytesFactor = double.NaN }.Validate());
        new RaftNodeOptions().Validate();
    }

    [Fact]
    public async Task A_partition_snapshots_after_enough_log_bytes_and_not_before()
    {
        await using var node = await SingleNode.StartAsync(everyEntries: 1_000_000, minLogBytes: 8 * 1024);
        // Small entries, far below the floor and the entry bound: no snapshot, none being written.
        // (A snapshot is decided on the applier right after the entry that makes it due, and
        // written in the background; the proposals return after their entries are applied.)
        for (var n = 0; n < 10; n++)
            await node.ProposeAsync([1, (byte)n]);
        Assert.False(node.Partition.SnapshotWriting);
        Assert.Equal(0, node.Partition.LastSnapshotIndex);
        // Three 4 KiB commands cross the 8 KiB floor.
        for (var n = 0; n < 3; n++)
            await node.ProposeAsync(new byte[4096]);
        await Eventually.Async(() => Task.FromResult(node.Partition.LastSnapshotIndex > 10), TimeSpan.FromSeconds(30),
            "a snapshot is written after the large entries");
    }

    [Fact]
    public async Task A_partition_snapshots_after_the_entry_bound_with_small_entries()
    {
        await using var node = await SingleNode.StartAsync(everyEntries: 8, minLogBytes: long.MaxValue / 4);
        for (var n = 0; n < 20; n++)
            await node.ProposeAsync([3, (byte)n]);
        await Eventually.Async(() => Task.FromResult(node.Partition.LastSnapshotIndex >= 8), TimeSpan.FromSeconds(30),
            "a snapshot is written after 8 entries");
    }

    [Fact]
    public async Task Entries_applied_while_a_snapshot_is_written_survive_a_restart()
    {
        // Snapshots every 16 entries, written in the background while proposals go on: a restart must
        // restore the newest snapshot and replay exactly the entries after it (same count, same hash).
        var root = Directory.CreateTempSubdirectory("raftburrow-snaprestart-").FullName;
        try
        {
            long count;
            ulong hash;
            await using (var node = await SingleNode.StartAsync(everyEntries: 16, minLogBytes: long.MaxValue / 4, root: root, deleteOnDispose: false))
            {
                // Rounds of one-at-a-time proposals (one entry each: the snapshots trigger) and
                // concurrent ones (group-committed into fewer entries).
                for (var round = 0; round < 4; round++)
                {
                    for (var n = 0; n < 10; n++)
                        await node.ProposeAsync([4, (byte)round, (byte)n]);
                    await Task.WhenAll(Enumerable.Range(0, 40).Select(n => node.ProposeAsync([6, (byte)round, (byte)n])));
                }
                await Eventually.Async(() => Task.FromResult(node.Partition.LastSnapshotIndex >= 16 && !node.Partition.SnapshotWriting),
                    TimeSpan.FromSeconds(30), "a snapshot is written and none is in progress");
                (count, hash) = node.Read(m => (((CountingStateMachine)m).Count, ((CountingStateMachine)m).Hash));
                Assert.Equal(200, count);
            }
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(root, "partitions", "0", "snapshots"), "*-*"));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "partitions", "0", "snapshots"), "*.tmp"));
            await using (var node = await SingleNode.StartAsync(everyEntries: 16, minLogBytes: long.MaxValue / 4, root: root, deleteOnDispose: false))
            {
                await node.ProposeAsync([5]);
                var (after, afterHash) = node.Read(m => (((CountingStateMachine)m).Count, ((CountingStateMachine)m).Hash));
                Assert.Equal(count + 1, after);
                Assert.NotEqual(hash, afterHash);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Hashing_the_state_for_the_status_does_not_hold_up_applies()
    {
        // GET /admin/cluster reads every partition's state hash. The hash is taken from a captured
        // image outside the partition's lock: while one is being written, entries go on applying.
        var machine = new CountingStateMachine();
        await using var node = await SingleNode.StartAsync(everyEntries: 100_000, minLogBytes: long.MaxValue / 4, machine: machine);
        // No throttle: a status right after a hash would otherwise answer the cached pair (how long
        // that lasts depends on how long the hash took, so the test would depend on timing).
        node.Partition.HashThrottle = 0;
        await node.ProposeAsync([7, 1]);
        var first = node.Partition.Status();
        Assert.Equal(first.StateHash, node.Partition.Status().StateHash); // same index: the cached pair

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.ImageWriteGate = gate;
        await node.ProposeAsync([7, 2]);
        var status = Task.Run(() => node.Partition.Status());
        await machine.ImageWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The hash is being written (blocked by the gate): a proposal still commits and applies.
        await node.ProposeAsync([7, 3]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, node.Read(m => ((CountingStateMachine)m).Count));
        gate.SetResult();
        var hashed = await status.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(first.StateHash, hashed.StateHash);
        Assert.True(hashed.AppliedIndex > first.AppliedIndex);

        // Later calls catch up with the entries applied meanwhile.
        machine.ImageWriteGate = null;
        await Eventually.Async(() => Task.FromResult(node.Partition.Status().AppliedIndex > hashed.AppliedIndex), TimeSpan.FromSeconds(30),
            "the status hashes the newer state");
    }

    [Fact]
    public async Task A_follower_rejecting_the_leaders_snapshot_makes_the_leader_take_a_newer_one()
    {
        // The walk-down wedge (docs/replication.md): DotNext retries a member at or below the leader's
        // snapshot index, sending the same snapshot each time. After 8 such failures the leader takes
        // a newer snapshot when it applied entries since its last one. (The failures are reported to
        // the partition directly here, as DotNext's warning 74015 would.)
        await using var node = await SingleNode.StartAsync(everyEntries: 8, minLogBytes: long.MaxValue / 4);
        for (var n = 0; n < 10; n++)
            await node.ProposeAsync([8, (byte)n]);
        await Eventually.Async(() => Task.FromResult(node.Partition.LastSnapshotIndex >= 8 && !node.Partition.SnapshotWriting), TimeSpan.FromSeconds(30),
            "a first snapshot is written");
        var snapshot = node.Partition.LastSnapshotIndex;
        Assert.True(node.Partition.Status(withHash: false).AppliedIndex > snapshot, "entries applied after the snapshot");

        // Retries above the snapshot index are an ordinary walk-down: nothing happens.
        for (var i = 0; i < 20; i++)
            node.Partition.OnReplicationFailed("127.0.0.9:1", snapshot + 1);
        Assert.Equal(snapshot, node.Partition.LastSnapshotIndex);

        // Seven at or below it are not enough; the eighth takes a newer snapshot, without an election.
        var term = node.Partition.Status(withHash: false).Term;
        for (var i = 0; i < 7; i++)
            node.Partition.OnReplicationFailed("127.0.0.9:1", snapshot - i);
        Assert.Equal(snapshot, node.Partition.LastSnapshotIndex);
        node.Partition.OnReplicationFailed("127.0.0.9:1", snapshot - 7);
        await Eventually.Async(() => Task.FromResult(node.Partition.LastSnapshotIndex > snapshot), TimeSpan.FromSeconds(30),
            "the leader takes a newer snapshot");
        Assert.True(node.Partition.IsLeader);
        Assert.Equal(term, node.Partition.Status(withHash: false).Term);
    }

    private sealed class SingleNode : IAsyncDisposable
    {
        private readonly string _root;
        private readonly RaftNode _node;
        private readonly bool _deleteOnDispose;

        private SingleNode(string root, RaftNode node, bool deleteOnDispose)
        {
            _root = root;
            _node = node;
            _deleteOnDispose = deleteOnDispose;
        }

        public RaftPartition Partition => _node.Partitions[0];

        public static async Task<SingleNode> StartAsync(int everyEntries, long minLogBytes, string? root = null, bool deleteOnDispose = true,
            CountingStateMachine? machine = null)
        {
            root ??= Directory.CreateTempSubdirectory("raftburrow-snaptrigger-").FullName;
            var port = FreePorts.Block(1, IPAddress.Loopback);
            var member = new ClusterMember { Id = 1, RaftAddress = "127.0.0.1", RaftBasePort = port, HttpUrl = $"http://127.0.0.1:{port}" };
            var options = new RaftNodeOptions
            {
                NodeId = 1,
                RaftAddress = "127.0.0.1",
                RaftBasePort = port,
                DataDir = root,
                Partitions = 1,
                Peers = [member],
                SnapshotEveryEntries = everyEntries,
                SnapshotMinLogBytes = minLogBytes,
            };
            var node = await RaftNode.CreateAsync(options, _ => machine ?? new CountingStateMachine(), TimeProvider.System, NullLoggerFactory.Instance, CancellationToken.None);
            await node.StartAsync(CancellationToken.None);
            return new SingleNode(root, node, deleteOnDispose);
        }

        public T Read<T>(Func<RaftBurrow.StateMachine.IReplicatedStateMachine, T> query) => Partition.ReadLocal(query);

        public async Task ProposeAsync(byte[] command)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                try
                {
                    await Partition.ProposeAsync(command, Guid.NewGuid(), deadline.Token);
                    return;
                }
                catch (NotLeaderException)
                {
                    await Task.Delay(20, deadline.Token); // the single member is still electing itself
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _node.StopAsync(CancellationToken.None);
            await _node.DisposeAsync();
            if (!_deleteOnDispose)
                return;
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
