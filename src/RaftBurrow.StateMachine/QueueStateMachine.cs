using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>
/// The queue state machine of one partition (DESIGN.md §4). Pure and deterministic: no clock, no
/// randomness, no I/O; commands carry their time; ids derive from the log.
/// </summary>
/// <remarks>PLACEHOLDER: being implemented under the foundation issue; the public shape is fixed.</remarks>
public sealed class QueueStateMachine : IReplicatedStateMachine, IQueueQueries
{
    /// <summary>Creates an empty state machine.</summary>
    public QueueStateMachine(QueueStateMachineOptions options) => Options = options;

    /// <summary>The options this machine was created with.</summary>
    public QueueStateMachineOptions Options { get; }

    /// <inheritdoc />
    public long AppliedIndex { get; private set; }

    /// <inheritdoc />
    public long? NextDeadlineMs => throw new NotImplementedException();

    /// <summary>Applies a decoded command (tests and benchmarks use this directly).</summary>
    public CommandResult ApplyCommand(long index, long timestampMs, Guid requestId, Command command) => throw new NotImplementedException();

    /// <inheritdoc />
    public object? Apply(long index, ReadOnlySpan<byte> entry) => throw new NotImplementedException();

    /// <inheritdoc />
    public void WriteSnapshot(Stream destination) => throw new NotImplementedException();

    /// <inheritdoc />
    public void RestoreSnapshot(Stream source) => throw new NotImplementedException();

    /// <inheritdoc />
    public ulong StateHash() => throw new NotImplementedException();

    /// <inheritdoc />
    public QueueView? GetQueue(string project, string queue) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<QueueView> ListQueues(string project, string? marker, int limit) => throw new NotImplementedException();

    /// <inheritdoc />
    public int CountQueues(string project) => throw new NotImplementedException();

    /// <inheritdoc />
    public QueueStatsView? GetQueueStats(string project, string queue, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public MessagePage? ListMessages(string project, string queue, ListMessagesOptions options, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public MessageView? GetMessage(string project, string queue, string messageId, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<MessageView> GetMessages(string project, string queue, IReadOnlyList<string> messageIds, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public ClaimView? GetClaim(string project, string queue, string claimId, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<SubscriptionView> ListSubscriptions(string project, string queue, string? marker, int limit, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public SubscriptionView? GetSubscription(string project, string queue, string subscriptionId, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<(string Project, SubscriptionView Subscription)> AllSubscriptions(long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<DeadLetterView> PendingDeadLetters(int limit) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<BurrowNameView> BurrowListAccounts(long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public IReadOnlyList<BurrowNameView> BurrowListQueues(string account, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public (ResultCode Code, IReadOnlyList<BurrowMessageView> Messages) BurrowListMessages(string account, string queue, BurrowSelector selector, long nowMs) => throw new NotImplementedException();

    /// <inheritdoc />
    public (ResultCode Code, BurrowMessageView? Message) BurrowGetMessage(string account, string queue, string messageId, long nowMs) => throw new NotImplementedException();
}
