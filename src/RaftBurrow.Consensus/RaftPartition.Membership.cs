using System.Net;
using DotNext.Net.Cluster.Consensus.Raft;
using RaftBurrow.StateMachine;
using DotNextNotLeader = DotNext.Net.Cluster.Consensus.Raft.NotLeaderException;

namespace RaftBurrow.Consensus;

// Raft membership changes of one partition (on its leader), one member at a time, as DotNext does
// them: AddMemberAsync catches the new replica up, then commits the new configuration.
public sealed partial class RaftPartition
{
    private readonly SemaphoreSlim _membershipGate = new(1, 1);

    /// <summary>The Raft endpoints of this replica's current configuration.</summary>
    public IReadOnlyList<EndPoint> ConfigurationMembers => _cluster.Members.Select(m => m.EndPoint).ToList();

    /// <summary>The member id of each endpoint of <see cref="ConfigurationMembers"/> (null for an endpoint no known member has).</summary>
    public IReadOnlyList<int?> ConfigurationMemberIds => ConfigurationMembers.Select(e => _directory.IdOf(e, Partition)).ToList();

    /// <summary>
    /// On the leader: adds (or removes) <paramref name="endPoint"/> to (from) the configuration and
    /// waits until the new configuration is committed. Idempotent: a member already in (or already
    /// out of) the configuration is reported as done without a change.
    /// </summary>
    /// <returns>Whether a configuration change was committed by this call.</returns>
    /// <exception cref="NotLeaderException">This replica does not lead (or lost leadership meanwhile).</exception>
    /// <exception cref="InvalidOperationException">The leader refused (the new replica did not catch up, or another change is running).</exception>
    public async Task<bool> ChangeMembershipAsync(EndPoint endPoint, bool add, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        await _membershipGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsLeader)
                throw new NotLeaderException(Partition);
            var present = ConfigurationMembers.Any(e => e.Equals(endPoint));
            if (present == add)
            {
                // Already done, perhaps by an earlier attempt whose answer was lost, perhaps not yet
                // committed: committing a later entry (an expiry pulse) commits it too.
                await ReplicateAsync(LogEntryCodec.EncodeExpire(_clock.NowMs), cancellationToken).ConfigureAwait(false);
                return false;
            }
            bool done;
            try
            {
                done = add
                    ? await _cluster.AddMemberAsync(endPoint, cancellationToken).ConfigureAwait(false)
                    : await _cluster.RemoveMemberAsync(endPoint, cancellationToken).ConfigureAwait(false);
            }
            catch (DotNextNotLeader e)
            {
                throw new NotLeaderException(Partition, e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // DotNext cancels the change when this node loses leadership.
                throw new NotLeaderException(Partition, e);
            }
            if (!done)
                throw new InvalidOperationException(add
                    ? $"Partition {Partition}: {endPoint} did not catch up with the leader (is it running with RaftBurrow:Join=true?)."
                    : $"Partition {Partition}: the removal of {endPoint} was not committed.");
            return true;
        }
        finally
        {
            _membershipGate.Release();
        }
    }
}
