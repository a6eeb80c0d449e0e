using MessagePack;

namespace RaftBurrow.StateMachine.Commands;

// Zaqar v2 commands. Every field has an explicit key; keys are part of the replicated format.
// Values are validated at the API edge (ranges, sizes, name syntax); the state machine checks only
// what depends on state (queue exists, claim valid, quota) and answers with a ResultCode.

/// <summary>Base of Zaqar queue commands.</summary>
public abstract record ZaqarQueueCommand : Command, IQueueCommand
{
    /// <inheritdoc />
    [IgnoreMember] public QueueSpace Space => QueueSpace.Zaqar;

    /// <inheritdoc />
    [Key(0)] public string Project { get; init; } = "";

    /// <inheritdoc />
    [Key(1)] public string Queue { get; init; } = "";
}

/// <summary>PUT /v2/queues/{q}: creates the queue (Created) or, if it exists, replaces its metadata (Ok).</summary>
[MessagePackObject]
public sealed record CreateQueue : ZaqarQueueCommand
{
    /// <summary>UTF-8 JSON object; empty means <c>{}</c>.</summary>
    [Key(2)] public byte[] MetadataJson { get; init; } = [];
}

/// <summary>Replaces the whole metadata document of an existing queue.</summary>
[MessagePackObject]
public sealed record ReplaceQueueMetadata : ZaqarQueueCommand
{
    /// <summary>UTF-8 JSON object.</summary>
    [Key(2)] public byte[] MetadataJson { get; init; } = [];
}

/// <summary>One operation of PATCH /v2/queues/{q} (application/openstack-messaging-v2.0-json-patch).</summary>
[MessagePackObject]
public sealed record MetadataPatchOp
{
    /// <summary><c>add</c>, <c>replace</c> or <c>remove</c>.</summary>
    [Key(0)] public string Op { get; init; } = "";

    /// <summary>Path as given, e.g. <c>/metadata/key</c>.</summary>
    [Key(1)] public string Path { get; init; } = "";

    /// <summary>UTF-8 JSON value (empty for remove).</summary>
    [Key(2)] public byte[] ValueJson { get; init; } = [];
}

/// <summary>Applies patch operations atomically; any failing op rejects the whole patch (InvalidPatch / PatchTargetMissing).</summary>
[MessagePackObject]
public sealed record PatchQueueMetadata : ZaqarQueueCommand
{
    /// <summary>Operations in order.</summary>
    [Key(2)] public MetadataPatchOp[] Ops { get; init; } = [];
}

/// <summary>DELETE /v2/queues/{q}: removes the queue, its messages, claims and subscriptions. Ok even if absent.</summary>
[MessagePackObject]
public sealed record DeleteQueue : ZaqarQueueCommand;

/// <summary>POST /v2/queues/{q}/purge.</summary>
[MessagePackObject]
public sealed record PurgeQueue : ZaqarQueueCommand
{
    /// <summary>Purge messages (and their claims).</summary>
    [Key(2)] public bool Messages { get; init; } = true;

    /// <summary>Purge subscriptions.</summary>
    [Key(3)] public bool Subscriptions { get; init; } = true;
}

/// <summary>One message of a POST; null ttl/delay take the queue's <c>_default_message_ttl</c> /
/// <c>_default_message_delay</c>, then the machine's defaults.</summary>
[MessagePackObject]
public sealed record NewMessage
{
    /// <summary>Time to live in seconds.</summary>
    [Key(0)] public int? TtlSeconds { get; init; }

    /// <summary>Delay before the message becomes visible, in seconds.</summary>
    [Key(1)] public int? DelaySeconds { get; init; }

    /// <summary>The body as UTF-8 JSON (any JSON value), exactly as the client sent it.</summary>
    [Key(2)] public byte[] BodyJson { get; init; } = [];
}

/// <summary>
/// POST /v2/queues/{q}/messages: appends a batch in order (lazily creating the queue). With an
/// idempotency key, a repeat within the dedup window returns the first result and appends nothing.
/// </summary>
[MessagePackObject]
public sealed record PostMessages : ZaqarQueueCommand
{
    /// <summary>The poster's Client-ID (used for <c>echo=false</c> filtering).</summary>
    [Key(2)] public Guid ClientId { get; init; }

    /// <summary>The messages, in order.</summary>
    [Key(3)] public NewMessage[] Messages { get; init; } = [];

    /// <summary>Client idempotency key (Idempotency-Key header), or null.</summary>
    [Key(4)] public string? IdempotencyKey { get; init; }
}

/// <summary>DELETE /v2/queues/{q}/messages/{id}[?claim_id=]. Claimed messages need the live claim's id.</summary>
[MessagePackObject]
public sealed record DeleteMessage : ZaqarQueueCommand
{
    /// <summary>Message id.</summary>
    [Key(2)] public string MessageId { get; init; } = "";

    /// <summary>Claim id, or null.</summary>
    [Key(3)] public string? ClaimId { get; init; }
}

/// <summary>DELETE /v2/queues/{q}/messages?ids=…: deletes the listed messages that exist (claimed or not).</summary>
[MessagePackObject]
public sealed record DeleteMessages : ZaqarQueueCommand
{
    /// <summary>Message ids.</summary>
    [Key(2)] public string[] MessageIds { get; init; } = [];
}

/// <summary>DELETE /v2/queues/{q}/messages?pop=N: claims and deletes up to N visible messages, oldest first.</summary>
[MessagePackObject]
public sealed record PopMessages : ZaqarQueueCommand
{
    /// <summary>1..20.</summary>
    [Key(2)] public int Limit { get; init; }
}

/// <summary>POST /v2/queues/{q}/claims: claims up to Limit visible, unclaimed messages, oldest first.</summary>
[MessagePackObject]
public sealed record CreateClaim : ZaqarQueueCommand
{
    /// <summary>Claim ttl, seconds.</summary>
    [Key(2)] public int TtlSeconds { get; init; }

    /// <summary>Grace, seconds: claimed messages live at least ttl + grace.</summary>
    [Key(3)] public int GraceSeconds { get; init; }

    /// <summary>1..20.</summary>
    [Key(4)] public int Limit { get; init; }
}

/// <summary>PATCH /v2/queues/{q}/claims/{id}: renews a live claim.</summary>
[MessagePackObject]
public sealed record UpdateClaim : ZaqarQueueCommand
{
    /// <summary>Claim id.</summary>
    [Key(2)] public string ClaimId { get; init; } = "";

    /// <summary>New ttl, seconds.</summary>
    [Key(3)] public int TtlSeconds { get; init; }

    /// <summary>New grace, seconds (null keeps the old one).</summary>
    [Key(4)] public int? GraceSeconds { get; init; }
}

/// <summary>DELETE /v2/queues/{q}/claims/{id}: releases the claim; its messages keep their place.</summary>
[MessagePackObject]
public sealed record ReleaseClaim : ZaqarQueueCommand
{
    /// <summary>Claim id.</summary>
    [Key(2)] public string ClaimId { get; init; } = "";
}

/// <summary>POST /v2/queues/{q}/subscriptions. A subscriber already subscribed to the queue → Conflict.</summary>
[MessagePackObject]
public sealed record CreateSubscription : ZaqarQueueCommand
{
    /// <summary>Subscriber URI (http(s)://… or mailto:…).</summary>
    [Key(2)] public string Subscriber { get; init; } = "";

    /// <summary>Ttl, seconds.</summary>
    [Key(3)] public int TtlSeconds { get; init; }

    /// <summary>UTF-8 JSON object of options.</summary>
    [Key(4)] public byte[] OptionsJson { get; init; } = [];
}

/// <summary>PATCH /v2/queues/{q}/subscriptions/{id}.</summary>
[MessagePackObject]
public sealed record UpdateSubscription : ZaqarQueueCommand
{
    /// <summary>Subscription id.</summary>
    [Key(2)] public string SubscriptionId { get; init; } = "";

    /// <summary>New subscriber, or null.</summary>
    [Key(3)] public string? Subscriber { get; init; }

    /// <summary>New ttl, or null.</summary>
    [Key(4)] public int? TtlSeconds { get; init; }

    /// <summary>New options (UTF-8 JSON object), or null.</summary>
    [Key(5)] public byte[]? OptionsJson { get; init; }
}

/// <summary>DELETE /v2/queues/{q}/subscriptions/{id}. Ok even if absent.</summary>
[MessagePackObject]
public sealed record DeleteSubscription : ZaqarQueueCommand
{
    /// <summary>Subscription id.</summary>
    [Key(2)] public string SubscriptionId { get; init; } = "";
}

/// <summary>PUT /v2/queues/{q}/subscriptions/{id}/confirm.</summary>
[MessagePackObject]
public sealed record ConfirmSubscription : ZaqarQueueCommand
{
    /// <summary>Subscription id.</summary>
    [Key(2)] public string SubscriptionId { get; init; } = "";

    /// <summary>Confirmed or not.</summary>
    [Key(3)] public bool Confirmed { get; init; }
}

/// <summary>
/// Dead letters: when a claim would take a message past the queue's <c>_max_claim_count</c> and the
/// queue names a <c>_dead_letter_queue</c>, the message leaves its queue and waits in this
/// partition's dead-letter outbox (the DLQ may live on another partition). A mover on the leader
/// reads <see cref="IQueueQueries.PendingDeadLetters"/>, posts each message to its DLQ with the
/// idempotency key <c>"dlq:" + id</c>, then proposes this command to drop them from the outbox.
/// </summary>
[MessagePackObject]
public sealed record CompleteDeadLetters : Command
{
    /// <summary>Ids of outbox entries that reached their DLQ.</summary>
    [Key(0)] public string[] MessageIds { get; init; } = [];
}
