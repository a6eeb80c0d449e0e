namespace RaftBurrow.Client.Http;

/// <summary>One logical request; the transport turns it into one HttpRequestMessage per attempt.</summary>
internal readonly record struct ApiRequest(HttpMethod Method, string PathAndQuery)
{
    /// <summary>Request body, or empty for none.</summary>
    public ReadOnlyMemory<byte> Content { get; init; }

    /// <summary>Content type of <see cref="Content"/>.</summary>
    public string ContentType { get; init; } = "application/json";

    /// <summary>Whether a body is sent at all (an empty PUT body is still a body for Burrow).</summary>
    public bool HasContent { get; init; }

    /// <summary>Value of the Idempotency-Key header, identical on every attempt.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Retry rule.</summary>
    public RequestSafety Safety { get; init; } = RequestSafety.Idempotent;

    /// <summary>Send only to this node (no failover), e.g. to read one node's own view.</summary>
    public Uri? Node { get; init; }

    /// <summary>Added to the attempt timeout (server-side long-poll wait).</summary>
    public TimeSpan ExtraTimeout { get; init; }
}
