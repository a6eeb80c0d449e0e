using System.Net;
using System.Text.Json;
using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Zaqar;

public sealed partial class ZaqarClient
{
    /// <summary><c>GET /v2/queues</c>: one page of the project's queues, by name.</summary>
    public async Task<QueueListPage> ListQueuesAsync(QueueListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new QueueListOptions();
        var query = new QueryBuilder().Add("limit", options.Limit).Add("marker", options.Marker)
            .Add("detailed", options.Detailed).Add("with_count", options.WithCount).Add("name", options.Name);
        var r = await SendAsync(HttpMethod.Get, "/v2/queues" + query, cancellationToken).ConfigureAwait(false);
        return r.StatusCode == HttpStatusCode.NoContent ? new QueueListPage() : Responses.Read(r, ClientJsonContext.Default.QueueListPage);
    }

    /// <summary>Every queue of the project, following <c>next</c> links.</summary>
    public async IAsyncEnumerable<QueueInfo> ListAllQueuesAsync(bool detailed = false,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        while (true)
        {
            var page = await ListQueuesAsync(new QueueListOptions { Marker = marker, Detailed = detailed }, cancellationToken).ConfigureAwait(false);
            foreach (var q in page.Queues)
            {
                yield return q;
            }

            if (page.NextMarker is not { } next || next == marker)
            {
                yield break;
            }

            marker = next;
        }
    }

    /// <summary><c>PUT /v2/queues/{q}</c>: creates a queue; returns true if it was created, false if it existed
    /// (its metadata is then replaced).</summary>
    /// <param name="queue">Name, <c>[a-zA-Z0-9_.-]{1,64}</c>.</param>
    /// <param name="metadata">Optional metadata object (reserved keys start with <c>_</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> CreateQueueAsync(string queue, JsonElement? metadata = null, CancellationToken cancellationToken = default)
    {
        var body = metadata is { } m ? Responses.Serialize(m, ClientJsonContext.Default.JsonElement) : [];
        var r = await SendAsync(HttpMethod.Put, Responses.QueuePath(queue), cancellationToken, body).ConfigureAwait(false);
        Responses.EnsureSuccess(r);
        return r.StatusCode == HttpStatusCode.Created;
    }

    /// <summary><c>GET /v2/queues/{q}</c>: the queue's metadata.</summary>
    public async Task<JsonElement> GetQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        Responses.Read(await SendAsync(HttpMethod.Get, Responses.QueuePath(queue), cancellationToken).ConfigureAwait(false),
            ClientJsonContext.Default.JsonElement);

    /// <summary><c>PATCH /v2/queues/{q}</c> with a JSON patch (paths <c>/metadata/key</c>); returns the new metadata.</summary>
    public async Task<JsonElement?> UpdateQueueMetadataAsync(string queue, IEnumerable<MetadataPatchOperation> operations,
        CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(operations.ToList(), ClientJsonContext.Default.ListMetadataPatchOperation);
        var r = await SendAsync(HttpMethod.Patch, Responses.QueuePath(queue), cancellationToken, body,
            "application/openstack-messaging-v2.0-json-patch").ConfigureAwait(false);
        return Responses.ReadOptionalJson(r);
    }

    /// <summary><c>DELETE /v2/queues/{q}</c>: removes the queue and everything in it (no error if absent).</summary>
    public async Task DeleteQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Delete, Responses.QueuePath(queue), cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v2/queues/{q}/stats</c>.</summary>
    public async Task<QueueStats> GetQueueStatsAsync(string queue, CancellationToken cancellationToken = default) =>
        Responses.Read(await SendAsync(HttpMethod.Get, Responses.QueuePath(queue) + "/stats", cancellationToken).ConfigureAwait(false),
            ClientJsonContext.Default.QueueStats);

    /// <summary><c>POST /v2/queues/{q}/purge</c>: drops the queue's messages and/or subscriptions.</summary>
    /// <param name="queue">Queue name.</param>
    /// <param name="resourceTypes"><c>messages</c>, <c>subscriptions</c>; null = both.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task PurgeQueueAsync(string queue, IEnumerable<string>? resourceTypes = null, CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(new PurgeBody(resourceTypes?.ToList() ?? ["messages", "subscriptions"]), ClientJsonContext.Default.PurgeBody);
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Post, Responses.QueuePath(queue) + "/purge", cancellationToken, body).ConfigureAwait(false));
    }
}
