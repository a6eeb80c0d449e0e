using MessagePack;

namespace RaftBurrow.StateMachine.Commands;

/// <summary>
/// Outcome of a command (and of queries). State-dependent failures are codes, never exceptions;
/// the API edge maps them to HTTP statuses. Numeric values are part of the replicated/forwarded
/// format: never renumber (a test pins them).
/// </summary>
public enum ResultCode : byte
{
    /// <summary>Done (an update, a delete, a query answer).</summary>
    Ok = 0,
    /// <summary>A new thing was created.</summary>
    Created = 1,
    /// <summary>Nothing matched or nothing to return (e.g. no message to claim).</summary>
    NoContent = 2,
    /// <summary>The (Zaqar) queue does not exist.</summary>
    QueueNotFound = 10,
    /// <summary>The message does not exist (or expired).</summary>
    MessageNotFound = 11,
    /// <summary>The claim does not exist or expired.</summary>
    ClaimNotFound = 12,
    /// <summary>The subscription does not exist or expired.</summary>
    SubscriptionNotFound = 13,
    /// <summary>The Burrow account does not exist.</summary>
    AccountNotFound = 14,
    /// <summary>Delete of a claimed message without its live claim id (Zaqar: 403).</summary>
    ClaimMismatch = 20,
    /// <summary>A claim id was given but the message is not claimed by a live claim (Zaqar: 400).</summary>
    MessageNotClaimed = 21,
    /// <summary>A configured quota (queues per project, messages per queue) would be exceeded.</summary>
    QuotaExceeded = 30,
    /// <summary>The batch is larger than the queue's <c>_max_messages_post_size</c>.</summary>
    PostTooLarge = 31,
    /// <summary>A metadata patch operation is malformed or its target path is missing.</summary>
    InvalidPatch = 40,
    /// <summary>The subscriber is already subscribed to this queue (Zaqar: 409).</summary>
    Conflict = 41,
    /// <summary>The command could not be decoded or is of an unknown version (a bug, not user input).</summary>
    BadCommand = 90,
}

/// <summary>Result of applying a command. Union tags are part of the forwarding format.</summary>
[Union(0, typeof(CodeResult))]
[Union(1, typeof(PostMessagesResult))]
[Union(2, typeof(MessagesResult))]
[Union(3, typeof(ClaimResult))]
[Union(4, typeof(CreatedIdResult))]
[Union(5, typeof(MetadataResult))]
[Union(6, typeof(BurrowMessagesResult))]
public abstract record CommandResult
{
    /// <summary>The outcome.</summary>
    [IgnoreMember] public abstract ResultCode Code { get; }

    /// <summary>The entry's timestamp (Unix ms) at which the command was applied; views are relative to it.</summary>
    [IgnoreMember] public abstract long NowMs { get; }
}

/// <summary>A result that is only a code.</summary>
[MessagePackObject]
public sealed record CodeResult([property: Key(0)] ResultCode ResultCode, [property: Key(1)] long AppliedAtMs) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}

/// <summary>Result of <see cref="PostMessages"/>: the ids assigned, in the order posted.</summary>
[MessagePackObject]
public sealed record PostMessagesResult(
    [property: Key(0)] ResultCode ResultCode,
    [property: Key(1)] long AppliedAtMs,
    [property: Key(2)] string[] MessageIds) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}

/// <summary>Result of <see cref="PopMessages"/>: the removed messages, oldest first.</summary>
[MessagePackObject]
public sealed record MessagesResult(
    [property: Key(0)] ResultCode ResultCode,
    [property: Key(1)] long AppliedAtMs,
    [property: Key(2)] MessageView[] Messages) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}

/// <summary>Result of <see cref="CreateClaim"/>: the claim and its messages (empty → NoContent).</summary>
[MessagePackObject]
public sealed record ClaimResult(
    [property: Key(0)] ResultCode ResultCode,
    [property: Key(1)] long AppliedAtMs,
    [property: Key(2)] ClaimView? Claim) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}

/// <summary>Result of a command that creates a thing with a server-assigned id (subscriptions).</summary>
[MessagePackObject]
public sealed record CreatedIdResult(
    [property: Key(0)] ResultCode ResultCode,
    [property: Key(1)] long AppliedAtMs,
    [property: Key(2)] string Id) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}

/// <summary>Result of a metadata change: the document after it.</summary>
[MessagePackObject]
public sealed record MetadataResult(
    [property: Key(0)] ResultCode ResultCode,
    [property: Key(1)] long AppliedAtMs,
    [property: Key(2)] byte[] MetadataJson) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}

/// <summary>Result of a Burrow command: the affected messages (after update / at deletion), in queue order.
/// For <see cref="BurrowPutMessage"/>: Created or Ok, no messages.</summary>
[MessagePackObject]
public sealed record BurrowMessagesResult(
    [property: Key(0)] ResultCode ResultCode,
    [property: Key(1)] long AppliedAtMs,
    [property: Key(2)] BurrowMessageView[] Messages) : CommandResult
{
    /// <inheritdoc />
    [IgnoreMember] public override ResultCode Code => ResultCode;

    /// <inheritdoc />
    [IgnoreMember] public override long NowMs => AppliedAtMs;
}
