using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Zaqar;

/// <summary>
/// <see cref="IQueueApi"/> over plain HTTP. Classification: 2xx ok; 4xx fail; a write that got a 5xx,
/// timed out or lost its connection after sending is info (it may have been applied); a connection
/// that could not be opened is fail (nothing was sent); reads never change state so any error is fail.
/// </summary>
public sealed class ZaqarHttpApi : IQueueApi, IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<int, Uri> _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly string _clientId;
    private readonly string _projectId;
    private readonly int _messageTtlSeconds;

    /// <summary>Creates the API client.</summary>
    /// <param name="baseUrl">Node id to its http base URL.</param>
    /// <param name="timeout">Per request deadline (after it, a write is indeterminate).</param>
    /// <param name="clientId">Client-ID header (a UUID).</param>
    /// <param name="projectId">X-Project-ID header.</param>
    /// <param name="messageTtlSeconds">ttl of posted messages (long, so nothing expires during a run).</param>
    public ZaqarHttpApi(Func<int, Uri> baseUrl, TimeSpan timeout, Guid clientId, string projectId = "jepsen", int messageTtlSeconds = 3600)
    {
        _baseUrl = baseUrl;
        _timeout = timeout;
        _clientId = clientId.ToString();
        _projectId = projectId;
        _messageTtlSeconds = messageTtlSeconds;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(2, timeout.TotalSeconds)),
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 256,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public Task<ApiOutcome> EnqueueAsync(int node, string queue, string value, string? idempotencyKey, CancellationToken ct)
    {
        var req = Request(HttpMethod.Post, node, $"/v2/queues/{Uri.EscapeDataString(queue)}/messages", ZaqarJson.PostBody(value, _messageTtlSeconds));
        if (idempotencyKey is not null)
        {
            req.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return SendAsync(req, write: true, (status, body, _) => status == 201 || status == 200
            ? ApiOutcome.Ok(status, ZaqarJson.ParseResources(body))
            : null, ct);
    }

    /// <inheritdoc/>
    public Task<ApiOutcome> ClaimAsync(int node, string queue, int limit, int ttlSeconds, int graceSeconds, CancellationToken ct)
    {
        var req = Request(HttpMethod.Post, node, $"/v2/queues/{Uri.EscapeDataString(queue)}/claims?limit={limit}", ZaqarJson.ClaimBody(ttlSeconds, graceSeconds));
        return SendAsync(req, write: true, (status, body, location) => status switch
        {
            204 => ApiOutcome.Ok(status, messages: []),
            200 or 201 => ApiOutcome.Ok(status, messages: ZaqarJson.ParseMessages(body, location is null ? null : ZaqarJson.IdFromHref(location))),
            _ => null,
        }, ct);
    }

    /// <inheritdoc/>
    public Task<ApiOutcome> DeleteAsync(int node, string queue, string messageId, string claimId, CancellationToken ct)
    {
        var req = Request(HttpMethod.Delete, node, $"/v2/queues/{Uri.EscapeDataString(queue)}/messages/{Uri.EscapeDataString(messageId)}?claim_id={Uri.EscapeDataString(claimId)}", null);
        return SendAsync(req, write: true, (status, _, _) => status is 204 or 200 ? ApiOutcome.Ok(status) : null, ct);
    }

    /// <inheritdoc/>
    public Task<ApiOutcome> ReleaseAsync(int node, string queue, string claimId, CancellationToken ct)
    {
        var req = Request(HttpMethod.Delete, node, $"/v2/queues/{Uri.EscapeDataString(queue)}/claims/{Uri.EscapeDataString(claimId)}", null);
        return SendAsync(req, write: true, (status, _, _) => status is 204 or 200 ? ApiOutcome.Ok(status) : null, ct);
    }

    /// <inheritdoc/>
    public Task<ApiOutcome> PopAsync(int node, string queue, int limit, CancellationToken ct)
    {
        var req = Request(HttpMethod.Delete, node, $"/v2/queues/{Uri.EscapeDataString(queue)}/messages?pop={limit}", null);
        return SendAsync(req, write: true, (status, body, _) => status switch
        {
            204 => ApiOutcome.Ok(status, messages: []),
            200 => ApiOutcome.Ok(status, messages: ZaqarJson.ParseMessages(body)),
            _ => null,
        }, ct);
    }

    /// <inheritdoc/>
    public async Task<ApiOutcome> ReadAllAsync(int node, string queue, CancellationToken ct)
    {
        var all = new List<DeliveredMessage>();
        var path = $"/v2/queues/{Uri.EscapeDataString(queue)}/messages?include_claimed=true&echo=true&limit=10";
        for (var page = 0; page < 100_000; page++)
        {
            string? next = null;
            var outcome = await SendAsync(Request(HttpMethod.Get, node, path, null), write: false, (status, body, _) =>
            {
                if (status == 204)
                {
                    return ApiOutcome.Ok(status, messages: []);
                }

                if (status != 200)
                {
                    return null;
                }

                var msgs = ZaqarJson.ParseMessages(body);
                next = msgs.Count > 0 ? ZaqarJson.NextLink(body) : null;
                return ApiOutcome.Ok(status, messages: msgs);
            }, ct);
            if (outcome.Result != OpResult.Ok)
            {
                return outcome;
            }

            all.AddRange(outcome.Messages ?? []);
            if (next is null || outcome.Messages is not { Count: > 0 })
            {
                return ApiOutcome.Ok(200, messages: all);
            }

            path = next.StartsWith('/') ? next : "/v2/queues/" + Uri.EscapeDataString(queue) + "/messages" + (next.StartsWith('?') ? next : "?" + next);
        }

        return ApiOutcome.Fail("too many pages");
    }

    /// <summary>GET /admin/cluster of one node; null when it does not answer in time.</summary>
    public async Task<ClusterView?> ClusterAsync(int node, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            using var resp = await _http.GetAsync(new Uri(_baseUrl(node), "/admin/cluster"), cts.Token);
            return resp.IsSuccessStatusCode ? ClusterView.Parse(await resp.Content.ReadAsStringAsync(cts.Token)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or FormatException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>POST to an admin path; returns the status, or null without an answer.</summary>
    public async Task<int?> AdminPostAsync(int node, string pathAndQuery, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            using var content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var resp = await _http.PostAsync(new Uri(_baseUrl(node), pathAndQuery), content, cts.Token);
            return (int)resp.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>An admin request with its own deadline (membership changes take seconds per partition); (null, error) when nothing answered.</summary>
    public async Task<(int? Status, string Body)> AdminSendAsync(int node, HttpMethod method, string pathAndQuery, string? json, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var req = new HttpRequestMessage(method, new Uri(_baseUrl(node), pathAndQuery));
            if (json is not null)
            {
                req.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var resp = await _http.SendAsync(req, cts.Token);
            return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync(cts.Token));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return (null, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>PUT /v2/queues/{q} (queues are also created lazily; errors are ignored).</summary>
    public async Task CreateQueueAsync(int node, string queue, CancellationToken ct)
    {
        await SendAsync(Request(HttpMethod.Put, node, $"/v2/queues/{Uri.EscapeDataString(queue)}", "{}"), write: false, (s, _, _) => ApiOutcome.Ok(s), ct);
    }

    private HttpRequestMessage Request(HttpMethod method, int node, string pathAndQuery, string? json)
    {
        var req = new HttpRequestMessage(method, new Uri(_baseUrl(node), pathAndQuery));
        req.Headers.TryAddWithoutValidation("Client-ID", _clientId);
        req.Headers.TryAddWithoutValidation("X-Project-ID", _projectId);
        req.Headers.TryAddWithoutValidation("Accept", "application/json");
        if (json is not null)
        {
            req.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return req;
    }

    /// <summary>
    /// A client of its own for one write, counting its connection attempts. When a server closes a
    /// connection after reading a request without answering (a node killed mid-request),
    /// HttpClient silently sends the request again on a new connection; to a dead node that one is
    /// refused, and "refused" alone would claim that a request the server received was never sent.
    /// With the count, "refused" means "not sent" only when it was the first connection.
    /// </summary>
    private HttpClient WriteClient(StrongBox<int> connects) => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(Math.Min(2, _timeout.TotalSeconds)),
        PooledConnectionLifetime = TimeSpan.Zero,
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, token) =>
        {
            Interlocked.Increment(ref connects.Value);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    private async Task<ApiOutcome> SendAsync(HttpRequestMessage req, bool write, Func<int, string, string?, ApiOutcome?> onSuccess, CancellationToken ct)
    {
        using var _ = req;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        var connects = new StrongBox<int>();
        using var writeClient = write ? WriteClient(connects) : null;
        try
        {
            using var resp = await (writeClient ?? _http).SendAsync(req, cts.Token);
            var status = (int)resp.StatusCode;
            var body = await resp.Content.ReadAsStringAsync(cts.Token);
            if (status is >= 200 and < 300)
            {
                try
                {
                    return onSuccess(status, body, resp.Headers.Location?.ToString())
                        ?? (write ? ApiOutcome.Info($"unexpected status {status}", status) : ApiOutcome.Fail($"unexpected status {status}", status));
                }
                catch (System.Text.Json.JsonException e)
                {
                    // A 2xx we cannot read: it happened, but we do not know what it returned.
                    return write ? ApiOutcome.Info("unreadable 2xx body: " + e.Message, status) : ApiOutcome.Fail("unreadable body", status);
                }
            }

            var error = $"{status} {Truncate(body)}";
            return status >= 500 && write ? ApiOutcome.Info(error, status) : ApiOutcome.Fail(error, status);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return write ? ApiOutcome.Info("timeout") : ApiOutcome.Fail("timeout");
        }
        catch (HttpRequestException e)
        {
            return Classify(e, write, connects.Value);
        }
    }

    /// <summary>
    /// Connection refused / unreachable on the first connection: the request was never sent, so a
    /// definite failure (see <see cref="WriteClient"/> for why only the first).
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <param name="write">Whether the request may change state.</param>
    /// <param name="connectionAttempts">Connections the request's client tried to open (a second one means the first carried the request).</param>
    internal static ApiOutcome Classify(HttpRequestException e, bool write, int connectionAttempts = 1)
    {
        var notSent = connectionAttempts <= 1 && (e.HttpRequestError == HttpRequestError.ConnectionError
            || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable });
        if (notSent || !write)
        {
            return ApiOutcome.Fail("connection: " + e.Message);
        }

        return ApiOutcome.Info("connection lost: " + e.Message, e.StatusCode is HttpStatusCode s ? (int)s : null);
    }

    private static string Truncate(string s) => s.Length <= 160 ? s : s[..160];

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
