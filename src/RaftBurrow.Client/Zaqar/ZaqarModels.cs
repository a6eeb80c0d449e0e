using System.Text.Json;
using System.Text.Json.Serialization;

namespace RaftBurrow.Client.Zaqar;

// Wire shapes of the Zaqar v2 API (api-ref/source/samples of OpenStack Zaqar). Property names are
// the wire names; unknown fields are ignored so newer servers stay readable.

/// <summary>A queue in a listing (<c>GET /v2/queues</c>).</summary>
public sealed record QueueInfo
{
    /// <summary>Queue name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Relative URL of the queue.</summary>
    [JsonPropertyName("href")] public string? Href { get; init; }

    /// <summary>Metadata (only with <c>detailed=true</c>).</summary>
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; init; }
}

/// <summary>A <c>rel/href</c> link.</summary>
public sealed record Link
{
    /// <summary>Relation, e.g. <c>next</c>.</summary>
    [JsonPropertyName("rel")] public string Rel { get; init; } = "";

    /// <summary>Relative URL.</summary>
    [JsonPropertyName("href")] public string Href { get; init; } = "";
}

/// <summary>One page of queues.</summary>
public sealed record QueueListPage
{
    /// <summary>Queues, by name.</summary>
    [JsonPropertyName("queues")] public IReadOnlyList<QueueInfo> Queues { get; init; } = [];

    /// <summary>Links (<c>next</c>).</summary>
    [JsonPropertyName("links")] public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Total number of queues of the project (only with <c>with_count=true</c>).</summary>
    [JsonPropertyName("count")] public int? Count { get; init; }

    /// <summary>Marker for the next page (from the <c>next</c> link), or null when this page is empty.</summary>
    [JsonIgnore] public string? NextMarker => Queues.Count == 0 ? null : ZaqarHrefs.QueryValue(Links.FirstOrDefault(l => l.Rel == "next")?.Href, "marker");
}

/// <summary>Options of <c>GET /v2/queues</c>.</summary>
public sealed record QueueListOptions
{
    /// <summary>Page size (server default 10, max 20... as the server allows).</summary>
    public int? Limit { get; init; }

    /// <summary>Start after this queue name.</summary>
    public string? Marker { get; init; }

    /// <summary>Include each queue's metadata.</summary>
    public bool Detailed { get; init; }

    /// <summary>Ask for the total count.</summary>
    public bool WithCount { get; init; }

    /// <summary>Only queues whose name matches (server-side filter).</summary>
    public string? Name { get; init; }
}

/// <summary>The oldest or newest message in <see cref="QueueMessageStats"/>.</summary>
public sealed record MessageStat
{
    /// <summary>Relative URL of the message.</summary>
    [JsonPropertyName("href")] public string Href { get; init; } = "";

    /// <summary>Age in seconds.</summary>
    [JsonPropertyName("age")] public long Age { get; init; }

    /// <summary>Creation time (ISO 8601).</summary>
    [JsonPropertyName("created")] public string? Created { get; init; }
}

/// <summary>Message counts of a queue.</summary>
public sealed record QueueMessageStats
{
    /// <summary>Claimed messages.</summary>
    [JsonPropertyName("claimed")] public long Claimed { get; init; }

    /// <summary>Unclaimed messages.</summary>
    [JsonPropertyName("free")] public long Free { get; init; }

    /// <summary>All messages.</summary>
    [JsonPropertyName("total")] public long Total { get; init; }

    /// <summary>Oldest message (absent when the queue is empty).</summary>
    [JsonPropertyName("oldest")] public MessageStat? Oldest { get; init; }

    /// <summary>Newest message (absent when the queue is empty).</summary>
    [JsonPropertyName("newest")] public MessageStat? Newest { get; init; }
}

/// <summary><c>GET /v2/queues/{q}/stats</c>.</summary>
public sealed record QueueStats
{
    /// <summary>Message counts.</summary>
    [JsonPropertyName("messages")] public QueueMessageStats Messages { get; init; } = new();
}

/// <summary>One operation of a metadata patch (<c>application/openstack-messaging-v2.0-json-patch</c>).</summary>
/// <param name="Op"><c>add</c>, <c>replace</c> or <c>remove</c>.</param>
/// <param name="Path">e.g. <c>/metadata/_default_message_ttl</c>.</param>
/// <param name="Value">New value (ignored for remove).</param>
public sealed record MetadataPatchOperation(
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("value")] JsonElement? Value = null);

/// <summary>A message to post.</summary>
public sealed record NewMessage
{
    /// <summary>Any JSON value.</summary>
    [JsonPropertyName("body")] public JsonElement Body { get; init; }

    /// <summary>Time to live, 60..1209600 s (null = the queue's default).</summary>
    [JsonPropertyName("ttl")] public int? TtlSeconds { get; init; }

    /// <summary>Delay before it can be claimed, 0..900 s (null = the queue's default).</summary>
    [JsonPropertyName("delay")] public int? DelaySeconds { get; init; }

    /// <summary>A message whose body is the given JSON text.</summary>
    /// <param name="json">Any JSON value, e.g. <c>{"event": "x"}</c>.</param>
    /// <param name="ttlSeconds">Optional ttl.</param>
    public static NewMessage FromJson(string json, int? ttlSeconds = null)
    {
        using var doc = JsonDocument.Parse(json);
        return new NewMessage { Body = doc.RootElement.Clone(), TtlSeconds = ttlSeconds };
    }
}

/// <summary>Answer of a message POST.</summary>
public sealed record PostMessagesResult
{
    /// <summary>Relative URLs of the new messages, in the order posted.</summary>
    [JsonPropertyName("resources")] public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>Ids of the new messages (last path segment of each resource).</summary>
    [JsonIgnore] public IReadOnlyList<string> MessageIds => Resources.Select(ZaqarHrefs.LastSegment).ToArray();

    /// <summary>The Idempotency-Key the POST carried (retries reuse it, so it was enqueued once).</summary>
    [JsonIgnore] public string IdempotencyKey { get; init; } = "";
}

/// <summary>A message as listed, fetched, claimed or popped.</summary>
public sealed record Message
{
    /// <summary>Message id (from the <c>id</c> field, or the last segment of <c>href</c>).</summary>
    [JsonPropertyName("id")] public string? Id { get; init; }

    /// <summary>Relative URL; for claimed messages it carries <c>?claim_id=</c>.</summary>
    [JsonPropertyName("href")] public string? Href { get; init; }

    /// <summary>Seconds since it was posted.</summary>
    [JsonPropertyName("age")] public long Age { get; init; }

    /// <summary>Time to live, seconds.</summary>
    [JsonPropertyName("ttl")] public long Ttl { get; init; }

    /// <summary>The body as posted.</summary>
    [JsonPropertyName("body")] public JsonElement Body { get; init; }

    /// <summary>Body checksum (e.g. <c>MD5:…</c>), if the server sends one.</summary>
    [JsonPropertyName("checksum")] public string? Checksum { get; init; }

    /// <summary>Claim holding it (pop answers carry it), if any.</summary>
    [JsonPropertyName("claim_id")] public string? ClaimIdField { get; init; }

    /// <summary>How many times it was claimed, if the server says.</summary>
    [JsonPropertyName("claim_count")] public int? ClaimCount { get; init; }

    /// <summary>The id, wherever the server put it.</summary>
    [JsonIgnore] public string MessageId => Id ?? ZaqarHrefs.LastSegment(Href ?? "");

    /// <summary>The claim id, from the field or from the href's <c>claim_id</c> query.</summary>
    [JsonIgnore] public string? ClaimId => ClaimIdField ?? ZaqarHrefs.QueryValue(Href, "claim_id");
}

/// <summary>Options of <c>GET /v2/queues/{q}/messages</c>.</summary>
public sealed record MessageListOptions
{
    /// <summary>Page size (1..20).</summary>
    public int? Limit { get; init; }

    /// <summary>Opaque marker from the previous page.</summary>
    public string? Marker { get; init; }

    /// <summary>Include this client's own messages.</summary>
    public bool Echo { get; init; } = true;

    /// <summary>Include claimed messages.</summary>
    public bool IncludeClaimed { get; init; }

    /// <summary>Include delayed messages.</summary>
    public bool IncludeDelayed { get; init; }

    /// <summary>RaftBurrow extension: when the page would be empty, wait up to this many seconds for a message.</summary>
    public int? WaitSeconds { get; init; }
}

/// <summary>One page of messages.</summary>
public sealed record MessagePage
{
    /// <summary>Messages, oldest first.</summary>
    [JsonPropertyName("messages")] public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>Links (<c>next</c>).</summary>
    [JsonPropertyName("links")] public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Marker for the next page, or null when this page is empty.</summary>
    [JsonIgnore] public string? NextMarker => Messages.Count == 0 ? null : ZaqarHrefs.QueryValue(Links.FirstOrDefault(l => l.Rel == "next")?.Href, "marker");
}

/// <summary>A claim just created: its id and the messages it holds.</summary>
public sealed record Claim
{
    /// <summary>Claim id (from the Location header, else from a message href).</summary>
    public string Id { get; init; } = "";

    /// <summary>Claimed messages, oldest first.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = [];
}

/// <summary><c>GET /v2/queues/{q}/claims/{id}</c>.</summary>
public sealed record ClaimInfo
{
    /// <summary>Seconds since the claim was made or renewed.</summary>
    [JsonPropertyName("age")] public long Age { get; init; }

    /// <summary>Claim ttl, seconds.</summary>
    [JsonPropertyName("ttl")] public long Ttl { get; init; }

    /// <summary>Relative URL of the claim.</summary>
    [JsonPropertyName("href")] public string Href { get; init; } = "";

    /// <summary>Messages still held.</summary>
    [JsonPropertyName("messages")] public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>Claim id (last segment of <see cref="Href"/>).</summary>
    [JsonIgnore] public string Id => ZaqarHrefs.LastSegment(Href);
}

/// <summary>A subscription (notifications to a webhook or mailbox).</summary>
public sealed record Subscription
{
    /// <summary>Subscription id.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";

    /// <summary>Subscriber URI.</summary>
    [JsonPropertyName("subscriber")] public string Subscriber { get; init; } = "";

    /// <summary>Source queue.</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    /// <summary>Time to live, seconds.</summary>
    [JsonPropertyName("ttl")] public long Ttl { get; init; }

    /// <summary>Age, seconds.</summary>
    [JsonPropertyName("age")] public long Age { get; init; }

    /// <summary>Options document.</summary>
    [JsonPropertyName("options")] public JsonElement? Options { get; init; }

    /// <summary>Whether the subscriber confirmed (when the server tracks it).</summary>
    [JsonPropertyName("confirmed")] public bool? Confirmed { get; init; }
}

/// <summary>One page of subscriptions.</summary>
public sealed record SubscriptionPage
{
    /// <summary>Subscriptions.</summary>
    [JsonPropertyName("subscriptions")] public IReadOnlyList<Subscription> Subscriptions { get; init; } = [];

    /// <summary>Links (<c>next</c>).</summary>
    [JsonPropertyName("links")] public IReadOnlyList<Link> Links { get; init; } = [];
}

/// <summary>Body of a subscription create or update.</summary>
public sealed record SubscriptionRequest
{
    /// <summary><c>http(s)://…</c> or <c>mailto:…</c>.</summary>
    [JsonPropertyName("subscriber")] public string? Subscriber { get; init; }

    /// <summary>Time to live, seconds.</summary>
    [JsonPropertyName("ttl")] public int? TtlSeconds { get; init; }

    /// <summary>Options object.</summary>
    [JsonPropertyName("options")] public JsonElement? Options { get; init; }
}

/// <summary>Zaqar error body.</summary>
internal sealed record ErrorBody
{
    [JsonPropertyName("title")] public string? Title { get; init; }

    [JsonPropertyName("description")] public string? Description { get; init; }
}

internal sealed record PostMessagesBody([property: JsonPropertyName("messages")] IReadOnlyList<NewMessage> Messages);

internal sealed record ClaimBody(
    [property: JsonPropertyName("ttl")] int? Ttl,
    [property: JsonPropertyName("grace")] int? Grace);

internal sealed record ClaimMessagesBody
{
    [JsonPropertyName("messages")] public IReadOnlyList<Message> Messages { get; init; } = [];
}

internal sealed record SubscriptionCreated
{
    [JsonPropertyName("subscription_id")] public string SubscriptionId { get; init; } = "";
}

internal sealed record PurgeBody([property: JsonPropertyName("resource_types")] IReadOnlyList<string> ResourceTypes);

internal sealed record ConfirmBody([property: JsonPropertyName("confirmed")] bool Confirmed);
