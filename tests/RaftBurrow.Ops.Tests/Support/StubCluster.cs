namespace RaftBurrow.Ops.Tests.Support;

/// <summary>
/// /admin/cluster answers in the documented shape (docs/configuration.md) for a pretend 3-node
/// cluster with 4 partitions: node 1 leads 0 and 2, node 2 leads 1 and 3, node 3 is down.
/// </summary>
public sealed class StubCluster
{
    public const int Partitions = 4;

    public string Node1Url { get; set; } = "";
    public string Node2Url { get; set; } = "";
    public string Node3Url { get; set; } = "";

    /// <summary>Node 2 applies this much less than it commits on partition 0 (to show lag).</summary>
    public long Node2Lag { get; set; } = 3;

    public object ViewOf(int nodeId) => new
    {
        nodeId,
        partitionCount = Partitions,
        nodes = new[]
        {
            new { id = 1, httpUrl = Node1Url, raftAddress = "127.0.0.1", raftBasePort = 9100, zone = (string?)"a" },
            new { id = 2, httpUrl = Node2Url, raftAddress = "127.0.0.1", raftBasePort = 9200, zone = (string?)"b" },
            new { id = 3, httpUrl = Node3Url, raftAddress = "127.0.0.1", raftBasePort = 9300, zone = (string?)"c" },
        },
        partitions = Enumerable.Range(0, Partitions).Select(p =>
        {
            var leader = p % 2 == 0 ? 1 : 2;
            var commit = 100L + p * 10;
            var applied = nodeId == 2 && p == 0 ? commit - Node2Lag : commit;
            return new
            {
                partition = p,
                role = leader == nodeId ? "leader" : "follower",
                leaderNodeId = (int?)leader,
                term = 3L + p,
                commitIndex = commit,
                appliedIndex = applied,
                stateHash = (0x1234_5678_9abc_0000UL + (ulong)applied).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            };
        }).ToArray(),
    };
}
