using System.Net;
using System.Text;
using System.Text.Json;
using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Burrow;

/// <summary>
/// The Burrow v1.0 API (<c>/v1.0/{account}/{queue}/{message}</c>). Obtain it from <see cref="RaftBurrowClient.Burrow"/>.
/// "Nothing matched" (404) comes back as an empty list or null, not as an exception.
/// </summary>
/// <remarks>
/// Queue-level POST (claim: <c>hide</c>) and DELETE (pop) act on whatever matches, so they are not repeated
/// after an ambiguous failure; PUT and single-message operations are.
/// </remarks>
public sealed class BurrowClient
{
    private readonly RaftBurrowTransport transport;

    internal BurrowClient(RaftBurrowTransport transport) => this.transport = transport;

    /// <summary><c>GET /v1.0</c>: account ids in creation order.</summary>
    public async Task<IReadOnlyList<string>> ListAccountsAsync(BurrowQuery? options = null, CancellationToken cancellationToken = default) =>
        Ids(await SendAsync(HttpMethod.Get, "/v1.0", options, RequestSafety.Idempotent, cancellationToken).ConfigureAwait(false));

    /// <summary><c>DELETE /v1.0</c>: deletes the selected accounts; returns their ids when <see cref="BurrowQuery.Detail"/> asks.</summary>
    public async Task<IReadOnlyList<string>> DeleteAccountsAsync(BurrowQuery? options = null, CancellationToken cancellationToken = default) =>
        Ids(await SendAsync(HttpMethod.Delete, "/v1.0", options, RequestSafety.NotIdempotent, cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v1.0/{a}</c>: queue ids of an account in creation order.</summary>
    public async Task<IReadOnlyList<string>> ListQueuesAsync(string account, BurrowQuery? options = null, CancellationToken cancellationToken = default) =>
        Ids(await SendAsync(HttpMethod.Get, Path(account), options, RequestSafety.Idempotent, cancellationToken).ConfigureAwait(false));

    /// <summary><c>DELETE /v1.0/{a}</c>: deletes the selected queues with their messages.</summary>
    public async Task<IReadOnlyList<string>> DeleteQueuesAsync(string account, BurrowQuery? options = null, CancellationToken cancellationToken = default) =>
        Ids(await SendAsync(HttpMethod.Delete, Path(account), options, RequestSafety.NotIdempotent, cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v1.0/{a}/{q}</c>: messages in FIFO order (detail <c>all</c> by default). Long-polls with
    /// <see cref="BurrowQuery.WaitSeconds"/>.</summary>
    public async Task<IReadOnlyList<BurrowMessage>> ListMessagesAsync(string account, string queue, BurrowQuery? options = null,
        CancellationToken cancellationToken = default) =>
        Messages(await SendAsync(HttpMethod.Get, Path(account, queue), options, RequestSafety.Idempotent, cancellationToken).ConfigureAwait(false), options);

    /// <summary><c>POST /v1.0/{a}/{q}</c>: sets ttl/hide on the matching messages atomically (the worker "claim":
    /// <c>limit=1, hide=60, wait=…, detail=all</c>); returns them at the requested detail.</summary>
    public async Task<IReadOnlyList<BurrowMessage>> UpdateMessagesAsync(string account, string queue, BurrowQuery options,
        CancellationToken cancellationToken = default) =>
        Messages(await SendAsync(HttpMethod.Post, Path(account, queue), options, RequestSafety.NotIdempotent, cancellationToken).ConfigureAwait(false), options);

    /// <summary><c>DELETE /v1.0/{a}/{q}</c>: deletes the matching messages atomically (the "pop": <c>limit, wait, detail=all</c>).</summary>
    public async Task<IReadOnlyList<BurrowMessage>> DeleteMessagesAsync(string account, string queue, BurrowQuery? options = null,
        CancellationToken cancellationToken = default) =>
        Messages(await SendAsync(HttpMethod.Delete, Path(account, queue), options, RequestSafety.NotIdempotent, cancellationToken).ConfigureAwait(false), options);

    /// <summary><c>PUT /v1.0/{a}/{q}/{m}</c>: creates (true) or replaces (false) a message; creates the account and queue as needed.</summary>
    /// <param name="account">Account id.</param>
    /// <param name="queue">Queue id.</param>
    /// <param name="messageId">Message id (chosen by the client).</param>
    /// <param name="body">Body text.</param>
    /// <param name="ttlSeconds">ttl (null = server default; 0 = never expires).</param>
    /// <param name="hideSeconds">hide (null = 0, visible).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> PutMessageAsync(string account, string queue, string messageId, string body, int? ttlSeconds = null, int? hideSeconds = null,
        CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("ttl", ttlSeconds).Add("hide", hideSeconds);
        var r = await transport.SendAsync(new ApiRequest(HttpMethod.Put, Path(account, queue, messageId) + query)
        {
            Content = Encoding.UTF8.GetBytes(body),
            HasContent = true,
            ContentType = "application/octet-stream",
        }, cancellationToken).ConfigureAwait(false);
        Responses.EnsureSuccess(r);
        return r.StatusCode == HttpStatusCode.Created;
    }

    /// <summary><c>GET /v1.0/{a}/{q}/{m}</c> (hidden messages too), or null when absent.</summary>
    public async Task<BurrowMessage?> GetMessageAsync(string account, string queue, string messageId, BurrowDetail detail = BurrowDetail.All,
        CancellationToken cancellationToken = default)
    {
        var options = new BurrowQuery { Detail = detail };
        var r = await SendAsync(HttpMethod.Get, Path(account, queue, messageId), options, RequestSafety.Idempotent, cancellationToken).ConfigureAwait(false);
        return Single(r, detail);
    }

    /// <summary><c>POST /v1.0/{a}/{q}/{m}</c>: sets ttl/hide; returns the message at the requested detail
    /// (null when it does not exist or detail is none).</summary>
    public async Task<BurrowMessage?> UpdateMessageAsync(string account, string queue, string messageId, BurrowQuery options,
        CancellationToken cancellationToken = default)
    {
        var r = await SendAsync(HttpMethod.Post, Path(account, queue, messageId), options, RequestSafety.Idempotent, cancellationToken).ConfigureAwait(false);
        return Single(r, options.Detail);
    }

    /// <summary><c>DELETE /v1.0/{a}/{q}/{m}</c>; returns false when it did not exist.</summary>
    public async Task<bool> DeleteMessageAsync(string account, string queue, string messageId, CancellationToken cancellationToken = default)
    {
        var r = await SendAsync(HttpMethod.Delete, Path(account, queue, messageId), null, RequestSafety.Idempotent, cancellationToken).ConfigureAwait(false);
        if (r.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        Responses.EnsureSuccess(r);
        return true;
    }

    private Task<ApiResponse> SendAsync(HttpMethod method, string path, BurrowQuery? options, RequestSafety safety, CancellationToken ct)
    {
        options ??= new BurrowQuery();
        var query = new QueryBuilder().Add("limit", options.Limit).Add("marker", options.Marker).Add("match_hidden", options.MatchHidden)
            .Add("wait", options.WaitSeconds).Add("detail", DetailText(options.Detail)).Add("ttl", options.TtlSeconds).Add("hide", options.HideSeconds);
        return transport.SendAsync(new ApiRequest(method, path + query)
        {
            Safety = safety,
            ExtraTimeout = TimeSpan.FromSeconds(Math.Max(0, options.WaitSeconds ?? 0)),
        }, ct);
    }

    internal static string? DetailText(BurrowDetail detail) => detail switch
    {
        BurrowDetail.Default => null,
        BurrowDetail.None => "none",
        BurrowDetail.Id => "id",
        BurrowDetail.Attributes => "attributes",
        BurrowDetail.Body => "body",
        BurrowDetail.All => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(detail)),
    };

    private static string Path(params string[] segments) => "/v1.0/" + string.Join('/', segments.Select(Responses.Segment));

    private static bool Nothing(in ApiResponse r) => r.StatusCode == HttpStatusCode.NotFound || (r.IsSuccess && r.Body.Length == 0);

    private static IReadOnlyList<string> Ids(ApiResponse r)
    {
        if (Nothing(r))
        {
            return [];
        }

        var items = Responses.Read(r, ClientJsonContext.Default.JsonElement);
        return items.ValueKind != JsonValueKind.Array
            ? [Text(items)]
            : items.EnumerateArray().Select(Text).ToArray();

        static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.TryGetProperty("id", out var id) ? id.GetString() ?? "" : e.GetRawText();
    }

    private static IReadOnlyList<BurrowMessage> Messages(ApiResponse r, BurrowQuery? options)
    {
        if (Nothing(r))
        {
            return [];
        }

        var detail = options?.Detail ?? BurrowDetail.Default;
        var items = Responses.Read(r, ClientJsonContext.Default.JsonElement);
        return items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Select(e => Item(e, detail)).ToArray()
            : [Item(items, detail)];
    }

    private static BurrowMessage? Single(ApiResponse r, BurrowDetail detail)
    {
        if (Nothing(r))
        {
            return null;
        }

        Responses.EnsureSuccess(r);
        var isJson = r.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        if (!isJson)
        {
            var text = Encoding.UTF8.GetString(r.Body);
            return detail == BurrowDetail.Id ? new BurrowMessage { Id = text } : new BurrowMessage { Body = text };
        }

        return Item(Responses.Read(r, ClientJsonContext.Default.JsonElement), detail);
    }

    private static BurrowMessage Item(JsonElement e, BurrowDetail detail)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            var s = e.GetString();
            return detail == BurrowDetail.Body ? new BurrowMessage { Body = s } : new BurrowMessage { Id = s };
        }

        return e.Deserialize(ClientJsonContext.Default.BurrowMessage) ?? new BurrowMessage();
    }
}
