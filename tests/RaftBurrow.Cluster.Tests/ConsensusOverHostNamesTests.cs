using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// <see cref="ConsensusTests"/> with every member's RaftAddress a host name ("localhost", resolving
/// to 127.0.0.1): DotNext connects to the name (resolved per connection) and knows members by it
/// (docs/operations.md, "Host names"). Plus what only names have: member ids from names.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ConsensusOverHostNamesTests : ConsensusTests
{
    private protected override string RaftAddress => "localhost";

    [Fact]
    public async Task Members_known_by_name_map_to_node_ids_and_a_restarted_follower_rejoins()
    {
        await ProposeAsync(0, [9]);
        var leader = await LeaderOfAsync(0);
        var leaderNode = Array.FindIndex(_nodes, node => node?.Partitions[0] == leader) + 1;
        // Every replica names the leader by its node id: its DnsEndPoint matched the directory.
        foreach (var node in _nodes)
            Assert.Equal(leaderNode, await EventuallyLeaderIdAsync(node!.Partitions[0]));
        Assert.Equal([1, 2, 3], leader.ConfigurationMemberIds.Select(id => id ?? 0).Order());

        // A follower that was down meanwhile rejoins by name (its peers' endpoints resolved on reconnect).
        var follower = Enumerable.Range(0, 3).First(i => _nodes[i]!.Partitions[0] != leader);
        await StopNodeAsync(follower);
        await ProposeAsync(0, [9]);
        await StartNodeAsync(follower);
        await WaitConvergedAsync(0);
    }

    private static async Task<int?> EventuallyLeaderIdAsync(RaftPartition replica)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (replica.LeaderNodeId is null)
            await Task.Delay(20, deadline.Token);
        return replica.LeaderNodeId;
    }
}
