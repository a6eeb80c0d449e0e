using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Tests;

public class ConvergenceCheckerTests
{
    private static ClusterSample S(double t, int node, params (int P, long Index, string Hash)[] parts) =>
        new(t, node, new ClusterView
        {
            NodeId = node,
            PartitionCount = parts.Length,
            Partitions = parts.Select(p => new PartitionView { Partition = p.P, AppliedIndex = p.Index, StateHash = p.Hash, LeaderNodeId = 1 }).ToList(),
        });

    [Fact]
    public void Equal_hashes_at_equal_indexes_are_valid()
    {
        var samples = new[] { S(0, 1, (0, 5, "aa"), (1, 7, "bb")), S(0, 2, (0, 5, "aa"), (1, 7, "bb")), S(0, 3, (0, 5, "AA"), (1, 7, "bb")) };
        var r = ConvergenceChecker.Check(samples, 3);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(2, r.Counts["partitions-converged"]);
        Assert.True(ConvergenceChecker.Converged(samples, 3));
    }

    [Fact]
    public void Different_hashes_at_the_same_index_are_rejected_even_in_earlier_samples()
    {
        var samples = new[]
        {
            S(0, 1, (0, 5, "aa")), S(0, 2, (0, 5, "ab")),
            S(100, 1, (0, 6, "cc")), S(100, 2, (0, 6, "cc")),
        };
        var r = ConvergenceChecker.Check(samples, 2);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["divergent"]);
        Assert.Equal(1, r.Counts["partitions-converged"]);
    }

    [Fact]
    public void Replicas_that_end_at_one_index_with_different_states_are_diverged_not_converged()
    {
        var r = ConvergenceChecker.Check([S(0, 1, (0, 9, "aa")), S(0, 2, (0, 9, "bb"))], 2);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["partitions-diverged"]);
        Assert.False(r.Counts.ContainsKey("partitions-converged"));
    }

    [Fact]
    public void A_replica_still_behind_at_the_end_is_unknown()
    {
        var samples = new[] { S(0, 1, (0, 5, "aa")), S(0, 2, (0, 4, "zz")) };
        var r = ConvergenceChecker.Check(samples, 2);
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.False(ConvergenceChecker.Converged(samples, 2));
    }

    [Fact]
    public void A_node_that_never_answered_is_unknown()
    {
        var r = ConvergenceChecker.Check([S(0, 1, (0, 5, "aa"))], 3);
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.Equal(Validity.Unknown, ConvergenceChecker.Check([], 3).Validity);
    }

    [Fact]
    public void The_admin_json_of_the_configuration_doc_parses()
    {
        const string json = """
            { "nodeId": 2, "partitionCount": 2, "nodes": [{ "id": 1, "httpUrl": "http://127.0.0.1:1", "raftAddress": "127.0.0.1", "raftBasePort": 2, "zone": null }],
              "partitions": [ { "partition": 0, "role": "leader", "leaderNodeId": 2, "term": 3, "commitIndex": 10, "appliedIndex": 10, "stateHash": "0123456789abcdef" },
                              { "partition": 1, "role": "follower", "leaderNodeId": null, "term": 1, "commitIndex": 0, "appliedIndex": 0, "stateHash": "0000000000000000" } ] }
            """;
        var v = ClusterView.Parse(json);
        Assert.Equal(2, v.NodeId);
        Assert.Equal("leader", v.Partitions[0].Role);
        Assert.Equal(10, v.Partitions[0].AppliedIndex);
        Assert.Null(v.Partitions[1].LeaderNodeId);
        Assert.False(v.HasAllLeaders(2));
    }
}
