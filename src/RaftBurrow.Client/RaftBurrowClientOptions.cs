namespace RaftBurrow.Client;

/// <summary>How a <see cref="RaftBurrowClient"/> picks a node for each request.</summary>
public enum NodeSelection
{
    /// <summary>Spread requests over every node in turn (any node accepts any request).</summary>
    RoundRobin = 0,

    /// <summary>Send to the first node in <see cref="RaftBurrowClientOptions.BaseUrls"/> while it answers;
    /// use the others only when it fails (useful to pin a worker to one node).</summary>
    PreferFirst = 1,
}

/// <summary>Settings of a <see cref="RaftBurrowClient"/>. Read once when the client is created.</summary>
public sealed class RaftBurrowClientOptions
{
    /// <summary>Base URLs of the cluster's nodes (e.g. <c>http://127.0.0.1:8888</c>). Any node accepts any
    /// request and forwards it to the partition's leader; at least one is required.</summary>
    public IList<Uri> BaseUrls { get; } = new List<Uri>();

    /// <summary>Zaqar project id, sent as <c>X-Project-ID</c> (no authentication: the server trusts it).</summary>
    public string ProjectId { get; set; } = "default";

    /// <summary>Zaqar <c>Client-ID</c> (a UUID). Messages posted with this id are not echoed back to it
    /// when listing with <c>echo=false</c>. A fresh one per client by default.</summary>
    public Guid ClientId { get; set; } = Guid.NewGuid();

    /// <summary>Node choice per request.</summary>
    public NodeSelection NodeSelection { get; set; } = NodeSelection.RoundRobin;

    /// <summary>Deadline of one attempt (connect, send, wait, read). Long polls add their wait to it.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP connect timeout.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many times a failed request is retried (0 = never). Only requests that are safe to repeat
    /// are retried after an ambiguous failure: reads, PUT/DELETE, and message POSTs (which carry an
    /// <c>Idempotency-Key</c> the server deduplicates on). Others (claim, pop, subscription create) are
    /// retried only when the request provably never reached a server (connection refused).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt up to <see cref="MaxRetryDelay"/>, with jitter.
    /// A <c>Retry-After</c> header from the server takes precedence (capped at <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Upper bound of one retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a node that refused a connection is skipped by the node choice.</summary>
    public TimeSpan NodeDownCooldown { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Pooled connections per node (at most this many requests in flight per node).</summary>
    public int MaxConnectionsPerServer { get; set; } = 64;

    /// <summary>Optional handler to send requests through instead of a new <see cref="System.Net.Http.SocketsHttpHandler"/>
    /// (e.g. an in-process test server). The client does not dispose it.</summary>
    public HttpMessageHandler? Handler { get; set; }

    /// <summary>Adds base URLs from strings; each may itself be a comma-separated list.</summary>
    /// <param name="urls">URLs such as <c>http://127.0.0.1:8888</c>.</param>
    /// <returns>This instance.</returns>
    public RaftBurrowClientOptions AddUrls(params IEnumerable<string> urls)
    {
        foreach (var item in urls)
        {
            foreach (var part in item.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var text = part.Contains("://", StringComparison.Ordinal) ? part : "http://" + part;
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ArgumentException($"Not an http(s) URL: '{part}'.", nameof(urls));
                }

                BaseUrls.Add(uri);
            }
        }

        return this;
    }

    internal void Validate()
    {
        if (BaseUrls.Count == 0)
        {
            throw new ArgumentException("At least one base URL is required.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerServer, 1);
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "must be positive");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(ProjectId);
    }
}
