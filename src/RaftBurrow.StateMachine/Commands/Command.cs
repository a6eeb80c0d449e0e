using MessagePack;

namespace RaftBurrow.StateMachine.Commands;

/// <summary>
/// A replicated state change. Commands are built and validated at the API edge, serialized with
/// <see cref="CommandCodec"/>, wrapped by <see cref="LogEntryCodec"/> (timestamp + request id) and
/// applied in log order by every replica. Union tags are part of the replicated format: never
/// renumber or reuse one (a test pins them).
/// </summary>
[Union(1, typeof(CreateQueue))]
[Union(2, typeof(ReplaceQueueMetadata))]
[Union(3, typeof(PatchQueueMetadata))]
[Union(4, typeof(DeleteQueue))]
[Union(5, typeof(PurgeQueue))]
[Union(6, typeof(PostMessages))]
[Union(7, typeof(DeleteMessage))]
[Union(8, typeof(DeleteMessages))]
[Union(9, typeof(PopMessages))]
[Union(10, typeof(CreateClaim))]
[Union(11, typeof(UpdateClaim))]
[Union(12, typeof(ReleaseClaim))]
[Union(13, typeof(CreateSubscription))]
[Union(14, typeof(UpdateSubscription))]
[Union(15, typeof(DeleteSubscription))]
[Union(16, typeof(ConfirmSubscription))]
[Union(17, typeof(Expire))]
[Union(18, typeof(CompleteDeadLetters))]
[Union(30, typeof(BurrowPutMessage))]
[Union(31, typeof(BurrowUpdateMessages))]
[Union(32, typeof(BurrowUpdateMessage))]
[Union(33, typeof(BurrowDeleteMessages))]
[Union(34, typeof(BurrowDeleteMessage))]
[Union(35, typeof(BurrowDeleteQueue))]
[Union(36, typeof(BurrowDeleteAccount))]
public abstract record Command;

/// <summary>Which API's namespace a queue lives in. Zaqar queues and Burrow queues never mix.</summary>
public enum QueueSpace : byte
{
    /// <summary>Zaqar v2 queues: explicit, with metadata, server-assigned message ids.</summary>
    Zaqar = 0,

    /// <summary>Burrow v1.0 queues: implicit, client-chosen message ids, ttl/hide.</summary>
    Burrow = 1,
}

/// <summary>A command addressed to one queue; it is routed to the partition that owns the queue.</summary>
public interface IQueueCommand
{
    /// <summary>The namespace of the queue.</summary>
    QueueSpace Space { get; }

    /// <summary>Zaqar project (X-Project-ID) or Burrow account.</summary>
    string Project { get; }

    /// <summary>Queue name.</summary>
    string Queue { get; }
}

/// <summary>
/// The expiry pulse: removes expired messages, claims and subscriptions, un-hides Burrow messages
/// whose hide deadline passed, and removes Burrow queues/accounts left empty. Its time is the
/// entry's timestamp. Partition-wide: it has no queue.
/// </summary>
[MessagePackObject]
public sealed record Expire : Command;
