using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace RaftBurrow.Client.Http;

/// <summary>
/// Sends requests to the cluster: picks a node, retries transient failures on the next node (503 while a
/// partition elects a leader, 502/504 when a forward fails, connection failures), honours Retry-After,
/// and buffers the answer. One pooled <see cref="SocketsHttpHandler"/> for every node.
/// </summary>
internal sealed class RaftBurrowTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly HttpMessageInvoker invoker;
    private readonly RaftBurrowClientOptions options;
    private readonly string clientId;

    public RaftBurrowTransport(RaftBurrowClientOptions options)
    {
        options.Validate();
        this.options = options;
        Nodes = new NodeSelector(options.BaseUrls, options.NodeSelection, options.NodeDownCooldown);
        clientId = options.ClientId.ToString("D");
        if (options.Handler is { } handler)
        {
            invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        }
        else
        {
            invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = options.MaxConnectionsPerServer,
                ConnectTimeout = options.ConnectTimeout,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                AutomaticDecompression = DecompressionMethods.None,
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
            }, disposeHandler: true);
        }
    }

    public NodeSelector Nodes { get; }

    public string ProjectId => options.ProjectId;

    public Guid ClientId => options.ClientId;

    /// <summary>Sends with retries and returns the final answer (any status). Throws
    /// <see cref="RaftBurrowApiException"/> only when no answer came at all.</summary>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var node = request.Node is null ? Nodes.First() : -1;
        for (var attempt = 0; ; attempt++)
        {
            var baseUri = request.Node is { } pinned ? NodeSelector.Normalize(pinned) : Nodes[node];
            var uri = new Uri(baseUri.OriginalString + request.PathAndQuery, UriKind.Absolute);
            TimeSpan? retryAfter = null;
            try
            {
                var response = await SendOnceAsync(request, uri, cancellationToken).ConfigureAwait(false);
                if (node >= 0)
                {
                    Nodes.MarkUp(node);
                }

                if (attempt >= options.MaxRetries || !ShouldRetry(request.Safety, response.StatusCode, response.RetryAfter))
                {
                    return response.Response;
                }

                retryAfter = response.RetryAfter;
            }
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var neverSent = ex.HttpRequestError == HttpRequestError.ConnectionError;
                if (neverSent && node >= 0)
                {
                    Nodes.MarkDown(node);
                }

                if (attempt >= options.MaxRetries || (request.Safety == RequestSafety.NotIdempotent && !neverSent))
                {
                    throw new RaftBurrowApiException(null, request.Method.Method, uri, null, null, null, ex);
                }
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The attempt's own deadline passed: the server may still act on it.
                if (attempt >= options.MaxRetries || request.Safety == RequestSafety.NotIdempotent)
                {
                    throw new RaftBurrowApiException(null, request.Method.Method, uri, "timeout",
                        $"no answer within {options.RequestTimeout + request.ExtraTimeout}", null, ex);
                }
            }

            await Task.Delay(RetryDelay(attempt, retryAfter), cancellationToken).ConfigureAwait(false);
            if (node >= 0)
            {
                node = Nodes.After(node);
            }
        }
    }

    private async Task<(ApiResponse Response, HttpStatusCode StatusCode, TimeSpan? RetryAfter)> SendOnceAsync(
        ApiRequest request, Uri uri, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, uri);
        var headers = message.Headers;
        headers.TryAddWithoutValidation("X-Project-ID", options.ProjectId);
        headers.TryAddWithoutValidation("Client-ID", clientId);
        if (request.IdempotencyKey is { } key)
        {
            headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        if (request.HasContent || !request.Content.IsEmpty)
        {
            var content = new ReadOnlyMemoryContent(request.Content);
            content.Headers.ContentType = request.ContentType == "application/json" ? JsonType : new MediaTypeHeaderValue(request.ContentType);
            message.Content = content;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.RequestTimeout + request.ExtraTimeout);
        using var response = await invoker.SendAsync(message, deadline.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
        TimeSpan? retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };
        var location = response.Headers.Location;
        if (location is { IsAbsoluteUri: false })
        {
            location = new Uri(uri, location);
        }

        var api = new ApiResponse(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, location, uri, request.Method.Method);
        return (api, response.StatusCode, retryAfter);
    }

    /// <summary>
    /// 503 = the node could not reach a leader in time (election under way); 502/504 = its forward to the
    /// leader failed; 421 = it was not the leader. Repeating an idempotent request is always safe. A
    /// not-idempotent one is repeated only on a 503 that carries Retry-After: the server's way of saying
    /// "not accepted, come back" (a duplicate claim would at worst hold messages until it expires).
    /// </summary>
    internal static bool ShouldRetry(RequestSafety safety, HttpStatusCode status, TimeSpan? retryAfter) =>
        safety == RequestSafety.Idempotent
            ? status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout
                or HttpStatusCode.MisdirectedRequest
            : status == HttpStatusCode.ServiceUnavailable && retryAfter is not null;

    private TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        var max = options.MaxRetryDelay;
        if (retryAfter is { } hinted && hinted > TimeSpan.Zero)
        {
            return hinted < max ? hinted : max;
        }

        // Exponential backoff with full jitter, so retrying clients do not arrive in lockstep.
        var ceilingMs = Math.Min(max.TotalMilliseconds, options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds((ceilingMs / 2) + (Random.Shared.NextDouble() * ceilingMs / 2));
    }

    /// <summary>Formats a query parameter value the way the servers parse it.</summary>
    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        invoker.Dispose(); // disposes the handler only when this transport created it
    }
}
