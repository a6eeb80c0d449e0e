using System.Net;
using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Zaqar;

public sealed partial class ZaqarClient
{
    /// <summary>
    /// <c>POST /v2/queues/{q}/claims?limit=N</c>: claims up to <paramref name="limit"/> visible messages,
    /// oldest first. Returns null when none are available (204).
    /// </summary>
    /// <param name="queue">Queue name.</param>
    /// <param name="ttlSeconds">Claim ttl, 60..43200.</param>
    /// <param name="graceSeconds">Grace, 60..43200: claimed messages live at least ttl + grace.</param>
    /// <param name="limit">1..20 (null = server default).</param>
    /// <param name="waitSeconds">RaftBurrow extension: when nothing is claimable, wait up to this long for a
    /// message (long poll) instead of answering 204 at once. Null or 0 = no wait.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<Claim?> ClaimMessagesAsync(string queue, int ttlSeconds, int graceSeconds, int? limit = null, int? waitSeconds = null,
        CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(new ClaimBody(ttlSeconds, graceSeconds), ClientJsonContext.Default.ClaimBody);
        var query = new QueryBuilder().Add("limit", limit).Add("wait", waitSeconds is > 0 ? waitSeconds : null);
        var r = await SendAsync(HttpMethod.Post, Responses.QueuePath(queue) + "/claims" + query, cancellationToken, body,
            safety: RequestSafety.NotIdempotent, extraTimeout: TimeSpan.FromSeconds(Math.Max(0, waitSeconds ?? 0))).ConfigureAwait(false);
        if (r.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        var messages = Responses.Read(r, ClientJsonContext.Default.ClaimMessagesBody).Messages;
        var id = r.Location is { } location ? Responses.Id(location.OriginalString) : null;
        id ??= messages.Select(m => m.ClaimId).FirstOrDefault(c => c is not null) ?? "";
        return messages.Count == 0 && id.Length == 0 ? null : new Claim { Id = id, Messages = messages };
    }

    /// <summary><c>GET /v2/queues/{q}/claims/{id}</c>, or null when the claim is gone.</summary>
    public async Task<ClaimInfo?> GetClaimAsync(string queue, string claimId, CancellationToken cancellationToken = default)
    {
        var r = await SendAsync(HttpMethod.Get, Responses.QueuePath(queue) + "/claims/" + Responses.Segment(claimId), cancellationToken).ConfigureAwait(false);
        return IsNotFound(r) ? null : Responses.Read(r, ClientJsonContext.Default.ClaimInfo);
    }

    /// <summary><c>PATCH /v2/queues/{q}/claims/{id}</c>: renews a live claim with a new ttl (and grace).</summary>
    public async Task RenewClaimAsync(string queue, string claimId, int ttlSeconds, int? graceSeconds = null, CancellationToken cancellationToken = default)
    {
        var body = Responses.Serialize(new ClaimBody(ttlSeconds, graceSeconds), ClientJsonContext.Default.ClaimBody);
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Patch, Responses.QueuePath(queue) + "/claims/" + Responses.Segment(claimId),
            cancellationToken, body).ConfigureAwait(false));
    }

    /// <summary><c>DELETE /v2/queues/{q}/claims/{id}</c>: releases the claim; its messages keep their place.</summary>
    public async Task ReleaseClaimAsync(string queue, string claimId, CancellationToken cancellationToken = default) =>
        Responses.EnsureSuccess(await SendAsync(HttpMethod.Delete, Responses.QueuePath(queue) + "/claims/" + Responses.Segment(claimId),
            cancellationToken).ConfigureAwait(false));
}
