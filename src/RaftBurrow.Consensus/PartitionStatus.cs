namespace RaftBurrow.Consensus;

/// <summary>This node's view of one partition (the rows of GET /admin/cluster).</summary>
/// <param name="Partition">Partition number.</param>
/// <param name="Role">leader, follower, candidate or standby.</param>
/// <param name="LeaderNodeId">The leader's node id, or null when unknown.</param>
/// <param name="Term">Current Raft term.</param>
/// <param name="CommitIndex">Last committed log index.</param>
/// <param name="AppliedIndex">Last log index applied to the state machine.</param>
/// <param name="StateHash">The state machine's hash, read together with <paramref name="AppliedIndex"/>; null when not asked for.</param>
public sealed record PartitionStatus(int Partition, string Role, int? LeaderNodeId, long Term, long CommitIndex, long AppliedIndex, ulong? StateHash);
