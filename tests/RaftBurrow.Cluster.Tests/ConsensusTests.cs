using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Consensus-only tests: three <see cref="RaftNode"/>s in this process on loopback ports, driving
/// <see cref="CountingStateMachine"/> (real DotNext, real TCP, real disk). The members' Raft
/// addresses are IPs here; <see cref="ConsensusOverHostNamesTests"/> runs the same tests with a host name.
/// </summary>
[Trait("Category", "Cluster")]
public class ConsensusTests : IAsyncLifetime
{
    private const int Partitions = 2;
    private protected readonly string _root = Directory.CreateTempSubdirectory("raftburrow-consensus-").FullName;
    private readonly List<ClusterMember> _members = [];
    private protected readonly RaftNode?[] _nodes = new RaftNode?[3];
    private readonly CountingStateMachine[][] _machines = new CountingStateMachine[3][];

    /// <summary>The RaftAddress of every member (they all listen on 127.0.0.1).</summary>
    private protected virtual string RaftAddress => "127.0.0.1";

    public async Task InitializeAsync()
    {
        for (var i = 1; i <= 3; i++)
        {
            var port = FreePorts.Block(Partitions, IPAddress.Loopback);
            _members.Add(new ClusterMember { Id = i, RaftAddress = RaftAddress, RaftBasePort = port, HttpUrl = $"http://127.0.0.1:{port}" });
        }
        for (var i = 0; i < 3; i++)
            await StartNodeAsync(i);
    }

    public async Task DisposeAsync()
    {
        for (var i = 0; i < 3; i++)
            await StopNodeAsync(i);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private protected async Task StartNodeAsync(int i)
    {
        var options = new RaftNodeOptions
        {
            NodeId = i + 1,
            RaftAddress = RaftAddress,
            RaftBasePort = _members[i].RaftBasePort,
            DataDir = Path.Combine(_root, $"node-{i + 1}"),
            Partitions = Partitions,
            Peers = _members,
            SnapshotEveryEntries = 20,
        };
        _machines[i] = new CountingStateMachine[Partitions];
        var node = await RaftNode.CreateAsync(options, p => _machines[i][p] = new CountingStateMachine(), TimeProvider.System, NullLoggerFactory.Instance, CancellationToken.None);
        await node.StartAsync(CancellationToken.None);
        _nodes[i] = node;
    }

    private protected async Task StopNodeAsync(int i)
    {
        if (_nodes[i] is { } node)
        {
            _nodes[i] = null;
            await node.StopAsync(CancellationToken.None);
            await node.DisposeAsync();
        }
    }

    private protected async Task<RaftPartition> LeaderOfAsync(int partition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            foreach (var node in _nodes)
                if (node?.Partitions[partition] is { IsLeader: true } leader)
                    return leader;
            await Task.Delay(20, deadline.Token);
        }
    }

    private protected async Task<long> ProposeAsync(int partition, byte[] command)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var requestId = Guid.NewGuid();
        while (true)
        {
            var leader = await LeaderOfAsync(partition);
            try
            {
                return (long)(await leader.ProposeAsync(command, requestId, deadline.Token))!;
            }
            catch (NotLeaderException)
            {
                await Task.Delay(20, deadline.Token);
            }
        }
    }

    private protected async Task WaitConvergedAsync(int partition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var statuses = _nodes.Where(n => n is not null).Select(n => n!.Partitions[partition].Status()).ToList();
            var commit = statuses.Max(s => s.CommitIndex);
            if (statuses.All(s => s.AppliedIndex == commit) && statuses.Select(s => s.StateHash).Distinct().Count() == 1)
                return;
            await Task.Delay(20, deadline.Token);
        }
    }

    [Fact]
    public async Task Concurrent_proposals_are_group_committed_each_with_its_own_result()
    {
        // Many proposals at once: the leader coalesces them into batch entries (LogEntryCodec
        // version 2); each proposer still gets the result of its own command.
        var results = await Task.WhenAll(Enumerable.Range(1, 200).Select(n => ProposeAsync(1, [5, (byte)n, (byte)(n >> 8)])));
        Assert.Equal(Enumerable.Range(1, 200).Select(n => (long)n), results.Order());
        await WaitConvergedAsync(1);
        Assert.All(_machines, m => Assert.Equal(200, m[1].Count));
    }

    [Fact]
    public async Task Proposals_commit_in_order_and_replicas_converge()
    {
        for (var n = 1; n <= 30; n++)
            Assert.Equal(n, await ProposeAsync(0, [1, (byte)n]));
        await WaitConvergedAsync(0);
        // A follower answers a linearizable read after its barrier.
        var follower = _nodes.First(node => !node!.Partitions[0].IsLeader)!.Partitions[0];
        var count = await follower.ReadAsync(m => ((CountingStateMachine)m).Count, CancellationToken.None);
        Assert.Equal(30, count);
    }

    [Fact]
    public async Task A_restarted_node_catches_up_through_a_snapshot_install()
    {
        await ProposeAsync(1, [7]);
        var leader = await LeaderOfAsync(1);
        var stopped = Enumerable.Range(0, 3).First(i => _nodes[i]!.Partitions[1] != leader);
        await StopNodeAsync(stopped);
        for (var n = 0; n < 100; n++)
            await ProposeAsync(1, [2, (byte)n]);
        await StartNodeAsync(stopped);
        await WaitConvergedAsync(1);
        Assert.Equal(101, _machines[stopped][1].Count);
    }

    [Fact]
    public async Task Losing_the_leader_elects_another_and_keeps_every_committed_entry()
    {
        for (var n = 0; n < 10; n++)
            await ProposeAsync(0, [3, (byte)n]);
        var leader = await LeaderOfAsync(0);
        var index = Array.FindIndex(_nodes, node => node!.Partitions[0] == leader);
        await StopNodeAsync(index);
        Assert.Equal(11, await ProposeAsync(0, [4]));
        await WaitConvergedAsync(0);
    }
}
