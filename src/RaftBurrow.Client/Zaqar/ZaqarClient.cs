using System.Net;
using System.Text.Json;
using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Zaqar;

/// <summary>
/// The OpenStack Zaqar v2 API (<c>/v2</c>): queues, messages, claims, subscriptions, health. Obtain it from
/// <see cref="RaftBurrowClient.Zaqar"/>. Thread-safe; share one instance.
/// </summary>
/// <remarks>
/// Every request carries <c>X-Project-ID</c> and <c>Client-ID</c>. Message POSTs carry an
/// <c>Idempotency-Key</c> (one per call, reused by its retries), so a retry after a timeout or a leader
/// change never enqueues twice. Claims and pops are retried only when the server provably did not act.
/// </remarks>
public sealed partial class ZaqarClient
{
    private readonly RaftBurrowTransport transport;

    internal ZaqarClient(RaftBurrowTransport transport) => this.transport = transport;

    private Task<ApiResponse> SendAsync(HttpMethod method, string path, CancellationToken ct, ReadOnlyMemory<byte> body = default,
        string contentType = "application/json", RequestSafety safety = RequestSafety.Idempotent, string? idempotencyKey = null,
        TimeSpan extraTimeout = default) =>
        transport.SendAsync(new ApiRequest(method, path)
        {
            Content = body,
            ContentType = contentType,
            Safety = safety,
            IdempotencyKey = idempotencyKey,
            ExtraTimeout = extraTimeout,
        }, ct);

    /// <summary><c>GET /v2/ping</c>: true when the node answers 204 (it is serving).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var r = await SendAsync(HttpMethod.Get, "/v2/ping", cancellationToken).ConfigureAwait(false);
            return r.IsSuccess;
        }
        catch (RaftBurrowApiException)
        {
            return false;
        }
    }

    /// <summary><c>GET /v2/health</c>: the detailed health document (shape depends on the server).</summary>
    public async Task<JsonElement?> GetHealthAsync(CancellationToken cancellationToken = default) =>
        Responses.ReadOptionalJson(await SendAsync(HttpMethod.Get, "/v2/health", cancellationToken).ConfigureAwait(false));

    private static bool IsNotFound(in ApiResponse r) => r.StatusCode == HttpStatusCode.NotFound;
}
