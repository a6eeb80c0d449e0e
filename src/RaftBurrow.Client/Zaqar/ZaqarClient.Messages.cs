using System.Net;
using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Zaqar;

public sealed partial class ZaqarClient
{
    /// <summary>
    /// <c>POST /v2/queues/{q}/messages</c>: appends the messages in order (creating the queue lazily).
    /// Retried safely: every attempt carries the same <c>Idempotency-Key</c>.
    /// </summary>
    /// <param name="queue">Queue name.</param>
    /// <param name="messages">1..10 messages (the server enforces its limits).</param>
    /// <param name="idempotencyKey">Key to deduplicate on; a new random one when null. Pass your own to make
    /// a POST safe to repeat across process restarts too.</param>
    /// <param name="cancellationToken">Cancels the call (the POST may still have been enqueued).</param>
    public Task<PostMessagesResult> PostMessagesAsync(string queue, IReadOnlyList<NewMessage> messages, string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = Responses.Serialize(new PostMessagesBody(messages), ClientJsonContext.Default.PostMessagesBody);
        return PostMessagesRawAsync(queue, body, idempotencyKey, cancellationToken);
    }

    /// <summary>Posts one message. See <see cref="PostMessagesAsync(string, IReadOnlyList{NewMessage}, string?, CancellationToken)"/>.</summary>
    public async Task<string> PostMessageAsync(string queue, NewMessage message, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var result = await PostMessagesAsync(queue, [message], idempotencyKey, cancellationToken).ConfigureAwait(false);
        return result.MessageIds.Count > 0 ? result.MessageIds[0] : "";
    }

    /// <summary>
    /// Posts a pre-serialized request document <c>{"messages": [...]}</c> (the fast path: no per-call
    /// serialization). Same retry and idempotency rules as <see cref="PostMessagesAsync(string, IReadOnlyList{NewMessage}, string?, CancellationToken)"/>.
    /// The buffer must not change until the task completes.
    /// </summary>
    public async Task<PostMessagesResult> PostMessagesRawAsync(string queue, ReadOnlyMemory<byte> requestJson, string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        var key = idempotencyKey ?? Guid.NewGuid().ToString("N");
        var r = await SendAsync(HttpMethod.Post, Responses.QueuePath(queue) + "/messages", cancellationToken, requestJson,
            idempotencyKey: key).ConfigureAwait(false);
        return Responses.Read(r, ClientJsonContext.Default.PostMessagesResult) with { IdempotencyKey = key };
    }

    /// <summary><c>GET /v2/queues/{q}/messages</c>: one page, oldest first.</summary>
    public async Task<MessagePage> ListMessagesAsync(string queue, MessageListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MessageListOptions();
        var query = new QueryBuilder().Add("marker", options.Marker).Add("limit", options.Limit)
            .Add("echo", options.Echo).Add("include_claimed", options.IncludeClaimed).Add("include_delayed", options.IncludeDelayed)
            .Add("wait", options.WaitSeconds is > 0 ? options.WaitSeconds : null);
        var r = await SendAsync(HttpMethod.Get, Responses.QueuePath(queue) + "/messages" + query, cancellationToken,
            extraTimeout: TimeSpan.FromSeconds(Math.Max(0, options.WaitSeconds ?? 0))).ConfigureAwait(false);
        return r.StatusCode == HttpStatusCode.NoContent ? new MessagePage() : Responses.Read(r, ClientJsonContext.Default.MessagePage);
    }

    /// <summary><c>GET /v2/queues/{q}/messages?ids=…</c>: the listed messages that exist (none → empty).</summary>
    public async Task<IReadOnlyList<Message>> GetMessagesAsync(string queue, IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("ids", string.Join(',', ids));
        var r = await SendAsync(HttpMethod.Get, Responses.QueuePath(queue) + "/messages" + query, cancellationToken).ConfigureAwait(false);
        return IsNotFound(r) || r.StatusCode == HttpStatusCode.NoContent ? [] : Responses.Read(r, ClientJsonContext.Default.MessagePage).Messages;
    }

    /// <summary><c>GET /v2/queues/{q}/messages/{id}</c>, or null when it does not exist.</summary>
    public async Task<Message?> GetMessageAsync(string queue, string messageId, CancellationToken cancellationToken = default)
    {
        var r = await SendAsync(HttpMethod.Get, Responses.QueuePath(queue) + "/messages/" + Responses.Segment(messageId), cancellationToken).ConfigureAwait(false);
        return IsNotFound(r) ? null : Responses.Read(r, ClientJsonContext.Default.Message);
    }

    /// <summary><c>DELETE /v2/queues/{q}/messages/{id}[?claim_id=]</c>. A claimed message needs its live claim's id.</summary>
    public async Task DeleteMessageAsync(string queue, string messageId, string? claimId = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("claim_id", claimId);
        var r = await SendAsync(HttpMethod.Delete, Responses.QueuePath(queue) + "/messages/" + Responses.Segment(messageId) + query,
            cancellationToken).ConfigureAwait(false);
        Responses.EnsureSuccess(r);
    }

    /// <summary><c>DELETE /v2/queues/{q}/messages?ids=…</c>: deletes the listed messages that exist.</summary>
    public async Task DeleteMessagesAsync(string queue, IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("ids", string.Join(',', ids));
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Delete, Responses.QueuePath(queue) + "/messages" + query, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>DELETE /v2/queues/{q}/messages?pop=N</c>: claims and deletes up to N messages in one step,
    /// oldest first. Not retried after an ambiguous failure (a repeat would pop more).</summary>
    public async Task<IReadOnlyList<Message>> PopMessagesAsync(string queue, int count, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("pop", count);
        var r = await SendAsync(HttpMethod.Delete, Responses.QueuePath(queue) + "/messages" + query, cancellationToken,
            safety: RequestSafety.NotIdempotent).ConfigureAwait(false);
        return r.StatusCode == HttpStatusCode.NoContent || r.Body.Length == 0 ? [] : Responses.Read(r, ClientJsonContext.Default.MessagePage).Messages;
    }
}
