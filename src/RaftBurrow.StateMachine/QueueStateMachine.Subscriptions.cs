using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

// Zaqar v2 subscriptions: replicated records (the notifier that calls subscribers lives outside).
public sealed partial class QueueStateMachine
{
    private CommandResult CreateSubscription(CreateSubscription c)
    {
        // Zaqar creates the queue when a subscription names one that does not exist.
        var queue = FindQueue(c.Project, c.Queue) ?? AddQueue(c.Project, c.Queue);
        if (FindSubscriber(queue, c.Subscriber) is not null)
            return new CreatedIdResult(ResultCode.Conflict, _clockMs, "");
        var sub = new Subscription
        {
            Seq = NextSeq(),
            Queue = queue,
            Subscriber = c.Subscriber,
            CreatedMs = _clockMs,
            TtlSeconds = c.TtlSeconds,
            ExpiresMs = _clockMs + c.TtlSeconds * 1000L,
            OptionsJson = c.OptionsJson.Length == 0 ? "{}"u8.ToArray() : c.OptionsJson,
        };
        queue.Subscriptions.Add(sub.Seq, sub);
        _subscriptions.Add(sub.Seq, sub);
        _deadlines.Enqueue(new Deadline(sub, DeadlineKind.SubscriptionExpiry), sub.ExpiresMs);
        return new CreatedIdResult(ResultCode.Created, _clockMs, FormatId(sub.Seq));
    }

    private static Subscription? FindSubscriber(ZaqarQueue queue, string subscriber)
    {
        foreach (var sub in queue.Subscriptions.Values)
        {
            if (string.Equals(sub.Subscriber, subscriber, StringComparison.Ordinal))
                return sub;
        }
        return null;
    }

    private Subscription? FindSubscription(string project, string queue, string id)
    {
        var q = FindQueue(project, queue);
        var seq = ParseId(id);
        return q is not null && seq > 0 && _subscriptions.TryGetValue(seq, out var sub) && ReferenceEquals(sub.Queue, q) ? sub : null;
    }

    private CommandResult UpdateSubscription(UpdateSubscription c)
    {
        var sub = FindSubscription(c.Project, c.Queue, c.SubscriptionId);
        if (sub is null)
            return Code(ResultCode.SubscriptionNotFound);
        if (c.Subscriber is not null && FindSubscriber(sub.Queue, c.Subscriber) is { } other && !ReferenceEquals(other, sub))
            return Code(ResultCode.Conflict);
        if (c.Subscriber is not null)
            sub.Subscriber = c.Subscriber;
        if (c.TtlSeconds is { } ttl)
        {
            // Zaqar restarts the subscription's lifetime from now when its ttl changes.
            sub.TtlSeconds = ttl;
            sub.ExpiresMs = _clockMs + ttl * 1000L;
            _deadlines.Enqueue(new Deadline(sub, DeadlineKind.SubscriptionExpiry), sub.ExpiresMs);
        }
        if (c.OptionsJson is not null)
            sub.OptionsJson = c.OptionsJson.Length == 0 ? "{}"u8.ToArray() : c.OptionsJson;
        return Code(ResultCode.Ok);
    }

    private CommandResult DeleteSubscription(DeleteSubscription c)
    {
        if (FindSubscription(c.Project, c.Queue, c.SubscriptionId) is { } sub)
            RemoveSubscription(sub);
        return Code(ResultCode.Ok);
    }

    private CommandResult ConfirmSubscription(ConfirmSubscription c)
    {
        var sub = FindSubscription(c.Project, c.Queue, c.SubscriptionId);
        if (sub is null)
            return Code(ResultCode.SubscriptionNotFound);
        sub.Confirmed = c.Confirmed;
        return Code(ResultCode.Ok);
    }

    private void RemoveSubscription(Subscription sub)
    {
        sub.Removed = true;
        sub.Queue.Subscriptions.Remove(sub.Seq);
        _subscriptions.Remove(sub.Seq);
    }

    private void RemoveAllSubscriptions(ZaqarQueue queue)
    {
        foreach (var sub in queue.Subscriptions.Values)
        {
            sub.Removed = true;
            _subscriptions.Remove(sub.Seq);
        }
        queue.Subscriptions.Clear();
    }

    private SubscriptionView View(Subscription s) =>
        new(FormatId(s.Seq), s.Queue.Name, s.Subscriber, s.CreatedMs, s.TtlSeconds, s.ExpiresMs, s.OptionsJson, s.Confirmed);

    /// <inheritdoc />
    public IReadOnlyList<SubscriptionView> ListSubscriptions(string project, string queue, string? marker, int limit, long nowMs)
    {
        var result = new List<SubscriptionView>();
        var q = FindQueue(project, queue);
        if (q is null || limit <= 0)
            return result;
        var after = marker is null ? 0 : ParseId(marker);
        foreach (var (seq, sub) in q.Subscriptions)
        {
            if (seq <= after || sub.ExpiresMs <= nowMs)
                continue;
            result.Add(View(sub));
            if (result.Count == limit)
                break;
        }
        return result;
    }

    /// <inheritdoc />
    public SubscriptionView? GetSubscription(string project, string queue, string subscriptionId, long nowMs) =>
        FindSubscription(project, queue, subscriptionId) is { } sub && sub.ExpiresMs > nowMs ? View(sub) : null;

    /// <inheritdoc />
    public IReadOnlyList<(string Project, SubscriptionView Subscription)> AllSubscriptions(long nowMs)
    {
        var result = new List<(string, SubscriptionView)>();
        foreach (var (project, queues) in _zaqarProjects)
        {
            foreach (var queue in queues.Values)
            {
                foreach (var sub in queue.Subscriptions.Values)
                {
                    if (sub.ExpiresMs > nowMs)
                        result.Add((project, View(sub)));
                }
            }
        }
        return result;
    }
}
