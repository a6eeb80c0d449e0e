using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

// Deadlines: expiry of messages, claims and subscriptions; Burrow un-hiding. Every apply first
// processes every deadline at or before the machine's clock (so commands never see expired state);
// the Expire command is the leader's pulse that moves the clock when nothing else is applied.
public sealed partial class QueueStateMachine
{
    /// <summary>Processes every deadline at or before the clock. The effects commute, so the heap's
    /// tie order (which differs after a restore) does not matter.</summary>
    private void ProcessDeadlines()
    {
        while (_deadlines.TryPeek(out var deadline, out var atMs) && atMs <= _clockMs)
        {
            _deadlines.Dequeue();
            if (!IsCurrent(deadline, atMs))
                continue;
            switch (deadline.Kind)
            {
                case DeadlineKind.ZaqarMessageExpiry:
                    RemoveMessage((ZaqarMessage)deadline.Target);
                    break;
                case DeadlineKind.ZaqarClaimExpiry:
                    RemoveClaim((ZaqarClaim)deadline.Target);
                    break;
                case DeadlineKind.SubscriptionExpiry:
                    RemoveSubscription((Subscription)deadline.Target);
                    break;
                case DeadlineKind.BurrowTtl:
                    RemoveBurrowMessage((BurrowMessage)deadline.Target);
                    break;
                case DeadlineKind.BurrowHide:
                    var unhidden = (BurrowMessage)deadline.Target;
                    unhidden.HideDeadlineS = 0;
                    MayBeVisible(unhidden);
                    break;
                case DeadlineKind.ZaqarMessageVisible:
                default:
                    // Becoming visible changes nothing stored; the deadline exists to wake long polls.
                    break;
            }
        }
    }

    /// <summary>Whether a heap entry still describes its target (targets whose deadline moved or that were removed leave stale entries).</summary>
    private static bool IsCurrent(Deadline deadline, long atMs) => deadline.Target switch
    {
        ZaqarMessage m => !m.Removed && (deadline.Kind == DeadlineKind.ZaqarMessageExpiry ? m.ExpiresMs : m.VisibleAtMs) == atMs,
        ZaqarClaim c => !c.Removed && c.ExpiresMs == atMs,
        Subscription s => !s.Removed && s.ExpiresMs == atMs,
        BurrowMessage b => !b.Removed && (deadline.Kind == DeadlineKind.BurrowTtl ? b.TtlDeadlineS : b.HideDeadlineS) * 1000 == atMs,
        _ => false,
    };

    /// <summary>Restores the heap invariant (valid top) and rebuilds it when stale entries dominate.</summary>
    private void CleanDeadlines()
    {
        while (_deadlines.TryPeek(out var deadline, out var atMs) && !IsCurrent(deadline, atMs))
            _deadlines.Dequeue();
        long tracked = 2L * _zaqarMessageCount + _claims.Count + _subscriptions.Count + 2L * _burrowMessageCount;
        if (_deadlines.Count > 2 * tracked + 4096)
            RebuildDeadlines();
    }

    private void RebuildDeadlines()
    {
        // Collected first and heapified at once (O(n)) rather than sifted in one by one.
        var pending = new List<(Deadline, long)>(_zaqarMessageCount + _claims.Count + _subscriptions.Count + _burrowMessageCount);
        foreach (var queues in _zaqarProjects.Values)
        {
            foreach (var queue in queues.Values)
            {
                var list = queue.Messages;
                for (var i = list.Start; i < list.End; i++)
                {
                    var m = list.At(i);
                    if (m.Removed)
                        continue;
                    pending.Add((new Deadline(m, DeadlineKind.ZaqarMessageExpiry), m.ExpiresMs));
                    if (m.VisibleAtMs > _clockMs)
                        pending.Add((new Deadline(m, DeadlineKind.ZaqarMessageVisible), m.VisibleAtMs));
                }
                foreach (var claim in queue.Claims.Values)
                    pending.Add((new Deadline(claim, DeadlineKind.ZaqarClaimExpiry), claim.ExpiresMs));
                foreach (var sub in queue.Subscriptions.Values)
                    pending.Add((new Deadline(sub, DeadlineKind.SubscriptionExpiry), sub.ExpiresMs));
            }
        }
        foreach (var account in _burrowAccounts.Values)
        {
            foreach (var queue in account.Queues.Values)
            {
                var list = queue.Messages;
                for (var i = list.Start; i < list.End; i++)
                {
                    var b = list.At(i);
                    if (b.Removed)
                        continue;
                    if (b.TtlDeadlineS > 0)
                        pending.Add((new Deadline(b, DeadlineKind.BurrowTtl), b.TtlDeadlineS * 1000));
                    if (b.HideDeadlineS > 0)
                        pending.Add((new Deadline(b, DeadlineKind.BurrowHide), b.HideDeadlineS * 1000));
                }
            }
        }
        _deadlines.Clear();
        _deadlines.EnqueueRange(pending);
    }
}
