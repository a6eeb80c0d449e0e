using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>Options of a Zaqar message listing.</summary>
public sealed record ListMessagesOptions
{
    /// <summary>Opaque marker from a previous page (the last message's marker), or null.</summary>
    public string? Marker { get; init; }

    /// <summary>Page size, 1..20.</summary>
    public int Limit { get; init; } = 10;

    /// <summary>Include the requesting client's own messages.</summary>
    public bool Echo { get; init; }

    /// <summary>The requesting client (Client-ID).</summary>
    public Guid ClientId { get; init; }

    /// <summary>Include messages under a live claim.</summary>
    public bool IncludeClaimed { get; init; }

    /// <summary>Include messages whose delay has not passed.</summary>
    public bool IncludeDelayed { get; init; }
}

/// <summary>A page of messages and the marker for the next page.</summary>
public sealed record MessagePage(IReadOnlyList<MessageView> Messages, string? NextMarker);

/// <summary>
/// Read-only questions to one partition's state, answered for a given <c>nowMs</c>: nothing expired
/// (message, claim, subscription, Burrow message) is ever returned, even before an Expire purges it.
/// Every answer's order is deterministic (never hash order). Answers cover only the queues this
/// partition owns; cluster-wide listings are merged by the caller.
/// </summary>
/// <remarks>Threading: callers hold the partition's read lock; implementations do not lock.</remarks>
public interface IQueueQueries
{
    /// <summary>The queue, or null.</summary>
    QueueView? GetQueue(string project, string queue);

    /// <summary>This partition's queues of a project with names ordinally after <paramref name="marker"/>, sorted, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<QueueView> ListQueues(string project, string? marker, int limit);

    /// <summary>Number of Zaqar queues this partition holds for a project (for the soft queue quota).</summary>
    int CountQueues(string project);

    /// <summary>
    /// Projects that have Zaqar queues in this partition, with names ordinally after <paramref name="marker"/>,
    /// sorted, at most <paramref name="limit"/> (the scrape-time depth gauges enumerate every project with it).
    /// </summary>
    IReadOnlyList<string> ListProjects(string? marker, int limit);

    /// <summary>Stats, or null when the queue does not exist.</summary>
    QueueStatsView? GetQueueStats(string project, string queue, long nowMs);

    /// <summary>A page of messages, oldest first; null when the queue does not exist.</summary>
    MessagePage? ListMessages(string project, string queue, ListMessagesOptions options, long nowMs);

    /// <summary>One live message, or null (queue or message missing).</summary>
    MessageView? GetMessage(string project, string queue, string messageId, long nowMs);

    /// <summary>The live messages among <paramref name="messageIds"/>, in queue order; missing ones are skipped.</summary>
    IReadOnlyList<MessageView> GetMessages(string project, string queue, IReadOnlyList<string> messageIds, long nowMs);

    /// <summary>A live claim with its live messages, or null.</summary>
    ClaimView? GetClaim(string project, string queue, string claimId, long nowMs);

    /// <summary>Live subscriptions of a queue, by id order, after <paramref name="marker"/>, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<SubscriptionView> ListSubscriptions(string project, string queue, string? marker, int limit, long nowMs);

    /// <summary>A live subscription, or null.</summary>
    SubscriptionView? GetSubscription(string project, string queue, string subscriptionId, long nowMs);

    /// <summary>Every live subscription in this partition as (project, subscription), for the notifier.</summary>
    IReadOnlyList<(string Project, SubscriptionView Subscription)> AllSubscriptions(long nowMs);

    /// <summary>The oldest entries of the dead-letter outbox (see <see cref="CompleteDeadLetters"/>), at most <paramref name="limit"/>.</summary>
    IReadOnlyList<DeadLetterView> PendingDeadLetters(int limit);

    /// <summary>Burrow accounts that have at least one queue in this partition, in creation order, each with
    /// its creation here (the PUT that brought it into this partition; it keeps it while it has a queue here).</summary>
    IReadOnlyList<BurrowNameView> BurrowListAccounts(long nowMs);

    /// <summary>Burrow queues of an account in this partition, in creation order.</summary>
    IReadOnlyList<BurrowNameView> BurrowListQueues(string account, long nowMs);

    /// <summary>Selected Burrow messages in queue order; the code says AccountNotFound / QueueNotFound / MessageNotFound (nothing matched) / Ok.</summary>
    (ResultCode Code, IReadOnlyList<BurrowMessageView> Messages) BurrowListMessages(string account, string queue, BurrowSelector selector, long nowMs);

    /// <summary>One Burrow message (hidden too); the code says which level is missing.</summary>
    (ResultCode Code, BurrowMessageView? Message) BurrowGetMessage(string account, string queue, string messageId, long nowMs);
}
