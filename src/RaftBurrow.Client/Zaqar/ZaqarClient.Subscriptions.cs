using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Zaqar;

public sealed partial class ZaqarClient
{
    /// <summary><c>GET /v2/queues/{q}/subscriptions</c>.</summary>
    public async Task<SubscriptionPage> ListSubscriptionsAsync(string queue, string? marker = null, int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("marker", marker).Add("limit", limit);
        var r = await SendAsync(HttpMethod.Get, Responses.QueuePath(queue) + "/subscriptions" + query, cancellationToken).ConfigureAwait(false);
        return r.Body.Length == 0 ? new SubscriptionPage() : Responses.Read(r, ClientJsonContext.Default.SubscriptionPage);
    }

    /// <summary><c>POST /v2/queues/{q}/subscriptions</c>; returns the new subscription's id.</summary>
    public async Task<string> CreateSubscriptionAsync(string queue, SubscriptionRequest subscription, CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(subscription, ClientJsonContext.Default.SubscriptionRequest);
        var r = await SendAsync(HttpMethod.Post, Responses.QueuePath(queue) + "/subscriptions", cancellationToken, body,
            safety: RequestSafety.NotIdempotent).ConfigureAwait(false);
        return Responses.Read(r, ClientJsonContext.Default.SubscriptionCreated).SubscriptionId;
    }

    /// <summary><c>GET /v2/queues/{q}/subscriptions/{id}</c>, or null when absent.</summary>
    public async Task<Subscription?> GetSubscriptionAsync(string queue, string subscriptionId, CancellationToken cancellationToken = default)
    {
        var r = await SendAsync(HttpMethod.Get, SubscriptionPath(queue, subscriptionId), cancellationToken).ConfigureAwait(false);
        return IsNotFound(r) ? null : Responses.Read(r, ClientJsonContext.Default.Subscription);
    }

    /// <summary><c>PATCH /v2/queues/{q}/subscriptions/{id}</c>: changes the given fields.</summary>
    public async Task UpdateSubscriptionAsync(string queue, string subscriptionId, SubscriptionRequest changes, CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(changes, ClientJsonContext.Default.SubscriptionRequest);
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Patch, SubscriptionPath(queue, subscriptionId), cancellationToken, body).ConfigureAwait(false));
    }

    /// <summary><c>DELETE /v2/queues/{q}/subscriptions/{id}</c> (no error if absent).</summary>
    public async Task DeleteSubscriptionAsync(string queue, string subscriptionId, CancellationToken cancellationToken = default) =>
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Delete, SubscriptionPath(queue, subscriptionId), cancellationToken).ConfigureAwait(false));

    /// <summary><c>PUT /v2/queues/{q}/subscriptions/{id}/confirm</c> with <c>{"confirmed": …}</c>.</summary>
    public async Task ConfirmSubscriptionAsync(string queue, string subscriptionId, bool confirmed, CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(new ConfirmBody(confirmed), ClientJsonContext.Default.ConfirmBody);
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Put, SubscriptionPath(queue, subscriptionId) + "/confirm", cancellationToken, body).ConfigureAwait(false));
    }

    private static string SubscriptionPath(string queue, string id) => Responses.QueuePath(queue) + "/subscriptions/" + Responses.Segment(id);
}
