using DotNext.Net.Cluster.Consensus.Raft;

namespace RaftBurrow.Consensus;

// Feeds ConsensusMetrics from this replica: a leader change each time this node learns of a new
// leader (not the "no leader" notice an election starts with), and the WAL gauge over this
// partition's WAL directory while the replica is open.
public sealed partial class RaftPartition
{
    private void StartMetrics(string walDirectory)
    {
        _cluster.LeaderChanged += CountLeaderChange;
        ConsensusMetrics.TrackWal(this, Partition, walDirectory);
    }

    private void StopMetrics()
    {
        _cluster.LeaderChanged -= CountLeaderChange;
        ConsensusMetrics.UntrackWal(this);
    }

    private void CountLeaderChange(RaftCluster<RaftClusterMember> cluster, RaftClusterMember? leader)
    {
        if (leader is not null)
            ConsensusMetrics.LeaderChanges.Add(1, ConsensusMetrics.Tag(Partition));
    }
}
