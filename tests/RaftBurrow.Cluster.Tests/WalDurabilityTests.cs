using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging.Abstractions;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine;
using NotLeaderException = DotNext.Net.Cluster.Consensus.Raft.NotLeaderException;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// What a follower acknowledges must survive kill -9 (docs/replication.md, "Durability"). The crash is
/// simulated by copying the WAL directory while the log is still open — the files as a process killed
/// at that instant leaves them (page cache included) — and opening the copy.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class WalDurabilityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("raftburrow-wal-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // Every WAL memory strategy RaftBurrow:WalMemory / WalNoBuffering can select (docs/configuration.md).
    [Theory]
    [InlineData(WriteAheadLog.MemoryManagementStrategy.SharedMemory, false)]
    [InlineData(WriteAheadLog.MemoryManagementStrategy.PrivateMemory, false)]
    [InlineData(WriteAheadLog.MemoryManagementStrategy.PrivateMemory, true)]
    public async Task Entries_appended_through_the_follower_path_are_in_a_crash_image_as_soon_as_the_append_returns(
        WriteAheadLog.MemoryManagementStrategy memory, bool noBuffering)
    {
        const int count = 300;
        var (machine, walDir) = await CreateMachineAsync("live");
        await using (machine)
        {
            await using var wal = new DurableWriteAheadLog(WalOptions(walDir, memory, noBuffering), machine, memberCount: () => 3);
            // Distinct contents, so that the reopened copy is checked byte for byte (through the
            // counting machine's hash), not only by its last index.
            var entries = Enumerable.Range(1, count)
                .Select(i => new BinaryLogEntry { Term = 1, Content = LogEntryCodec.Encode(i, Guid.Empty, BitConverter.GetBytes(i).Concat(new byte[200]).ToArray()) })
                .ToArray();
            var expected = new CountingStateMachine();
            for (var i = 0; i < count; i++)
                expected.Apply(i + 1, entries[i].Content.Span);

            // Exactly the call DotNext's RaftCluster makes when a follower receives AppendEntries;
            // it replies "replicated" as soon as this (and a commit up to the leader's index) returns.
            await ((IAuditTrail<IRaftLogEntry>)wal).AppendAsync(new LogEntryProducer<BinaryLogEntry>(entries), 1, skipCommitted: true, CancellationToken.None);

            var image = Path.Combine(_root, "crash-image");
            CopyDirectory(walDir, image);

            // Reopened with either strategy: the files are the same, so the setting may change between starts.
            foreach (var reopenWith in new[] { memory, OtherStrategy(memory) })
            {
                var copy = Path.Combine(_root, $"crash-image-{reopenWith}");
                CopyDirectory(image, copy);
                var counting = new CountingStateMachine();
                var (reopenedMachine, _) = await CreateMachineAsync($"reopened-{reopenWith}", counting);
                await using (reopenedMachine)
                {
                    await using var reopened = new WriteAheadLog(WalOptions(copy, reopenWith, noBuffering: false), reopenedMachine);
                    Assert.Equal(count, reopened.LastEntryIndex);
                    await reopened.CommitAsync(count);
                    await reopened.WaitForApplyAsync(count).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                    Assert.Equal((expected.Count, expected.Hash), (counting.Count, counting.Hash));
                }
            }
        }
    }

    private static WriteAheadLog.Options WalOptions(string location, WriteAheadLog.MemoryManagementStrategy memory, bool noBuffering) =>
        new() { Location = location, ChunkSize = 1024 * 1024, MemoryManagement = memory, NoBuffering = noBuffering };

    private static WriteAheadLog.MemoryManagementStrategy OtherStrategy(WriteAheadLog.MemoryManagementStrategy memory) =>
        memory == WriteAheadLog.MemoryManagementStrategy.SharedMemory
            ? WriteAheadLog.MemoryManagementStrategy.PrivateMemory
            : WriteAheadLog.MemoryManagementStrategy.SharedMemory;

    [Fact]
    public async Task Local_appends_must_carry_the_term_of_this_nodes_own_election_no_op()
    {
        var (machine, walDir) = await CreateMachineAsync("terms");
        await using (machine)
        {
            await using var wal = new DurableWriteAheadLog(new WriteAheadLog.Options { Location = walDir, ChunkSize = 1024 * 1024 }, machine, memberCount: () => 3);
            IAuditTrail<IRaftLogEntry> trail = wal;
            Assert.Equal(0, wal.LeaderTerm);
            await Assert.ThrowsAsync<NotLeaderException>(() => trail.AppendAsync(new BinaryLogEntry { Term = 0, Content = new byte[8] }).AsTask());

            // Winning term 3: DotNext's candidate appends its no-op through this method.
            await trail.AppendAsync(new EmptyLogEntry { Term = 3 });
            Assert.Equal(3, wal.LeaderTerm);
            Assert.Equal(2, await trail.AppendAsync(new BinaryLogEntry { Term = 3, Content = new byte[8] }));

            // A deposed leader that already adopted term 4 must not label an entry with it.
            await Assert.ThrowsAsync<NotLeaderException>(() => trail.AppendAsync(new BinaryLogEntry { Term = 4, Content = new byte[8] }).AsTask());
            Assert.Equal(2, wal.LastEntryIndex);

            // Entries from another leader (a heartbeat is enough): no local appends until the next win.
            await trail.AppendAsync(new LogEntryProducer<BinaryLogEntry>(), 3, skipCommitted: true, CancellationToken.None);
            Assert.Equal(0, wal.LeaderTerm);
            await Assert.ThrowsAsync<NotLeaderException>(() => trail.AppendAsync(new BinaryLogEntry { Term = 3, Content = new byte[8] }).AsTask());
        }
    }

    [Fact]
    public async Task A_lone_member_grown_by_node_add_checks_the_label_from_the_moment_its_configuration_has_other_members()
    {
        var (machine, walDir) = await CreateMachineAsync("grown");
        await using (machine)
        {
            var members = 1;
            await using var wal = new DurableWriteAheadLog(new WriteAheadLog.Options { Location = walDir, ChunkSize = 1024 * 1024 }, machine, memberCount: () => members);
            IAuditTrail<IRaftLogEntry> trail = wal;
            IPersistentState state = wal;
            await state.UpdateTermAsync(2, resetLastVote: true);

            // Alone, started as leader of the stored term without a no-op: labels are the stored term, unchecked.
            Assert.True(wal.IsLoneMember);
            Assert.Equal(2, wal.LeaderTerm);
            Assert.Equal(1, await trail.AppendAsync(new BinaryLogEntry { Term = wal.LeaderTerm, Content = new byte[8] }));

            // The configuration gains members (as RaftCluster.Members does once DotNext installs it) before any
            // no-op: from then on nothing is appended without the term of a no-op of this node's own.
            members = 2;
            Assert.False(wal.IsLoneMember);
            Assert.Equal(0, wal.LeaderTerm);
            await Assert.ThrowsAsync<NotLeaderException>(() => trail.AppendAsync(new BinaryLogEntry { Term = 2, Content = new byte[8] }).AsTask());

            // DotNext's AddMemberAsync appends a no-op in the leader's term before the new configuration:
            // that pins the label. The deposed-leader race (term adopted from the new members' election) is refused.
            await trail.AppendAsync(new EmptyLogEntry { Term = 2 });
            members = 3;
            Assert.Equal(2, wal.LeaderTerm);
            Assert.Equal(3, await trail.AppendAsync(new BinaryLogEntry { Term = 2, Content = new byte[8] }));
            await state.UpdateTermAsync(3, resetLastVote: true);
            Assert.Equal(2, wal.LeaderTerm);
            await Assert.ThrowsAsync<NotLeaderException>(() => trail.AppendAsync(new BinaryLogEntry { Term = 3, Content = new byte[8] }).AsTask());
            Assert.Equal(3, wal.LastEntryIndex);
        }
    }

    [Fact]
    public async Task A_fresh_lone_member_in_term_0_keeps_appending_after_growing()
    {
        var (machine, walDir) = await CreateMachineAsync("fresh");
        await using (machine)
        {
            var members = 1;
            await using var wal = new DurableWriteAheadLog(new WriteAheadLog.Options { Location = walDir, ChunkSize = 1024 * 1024 }, machine, memberCount: () => members);
            IAuditTrail<IRaftLogEntry> trail = wal;
            Assert.Equal(0, wal.LeaderTerm);
            Assert.Equal(1, await trail.AppendAsync(new BinaryLogEntry { Term = 0, Content = new byte[8] }));
            // The no-op of AddMemberAsync carries term 0 here: a label of 0 is then that no-op's term, not "none".
            await trail.AppendAsync(new EmptyLogEntry { Term = 0 });
            members = 2;
            Assert.Equal(3, await trail.AppendAsync(new BinaryLogEntry { Term = 0, Content = new byte[8] }));
            // Entries from another leader: refused again, whatever the label.
            await trail.AppendAsync(new LogEntryProducer<BinaryLogEntry>(), 4, skipCommitted: true, CancellationToken.None);
            await Assert.ThrowsAsync<NotLeaderException>(() => trail.AppendAsync(new BinaryLogEntry { Term = 0, Content = new byte[8] }).AsTask());
        }
    }

    private async Task<(PartitionStateMachine Machine, string WalDir)> CreateMachineAsync(string name, CountingStateMachine? counting = null)
    {
        var snapshots = Directory.CreateDirectory(Path.Combine(_root, name, "snapshots"));
        var machine = new PartitionStateMachine(snapshots, counting ?? new CountingStateMachine(), 0, new SnapshotPolicy(1_000_000, long.MaxValue / 4, 1.0), NullLogger.Instance);
        await machine.RestoreAsync(CancellationToken.None);
        return (machine, Path.Combine(_root, name, "wal"));
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var directory in Directory.GetDirectories(source))
            CopyDirectory(directory, Path.Combine(destination, Path.GetFileName(directory)));
    }
}
