namespace RaftBurrow.Client.Http;

/// <summary>Whether repeating a request after an ambiguous failure (timeout, reset, 503) is harmless.</summary>
internal enum RequestSafety
{
    /// <summary>Reads, PUT, DELETE, and message POSTs with an Idempotency-Key: retried on any transient failure.</summary>
    Idempotent = 0,

    /// <summary>Claim, pop, subscription create: a repeat could act twice, so retried only when the
    /// connection was refused (the request never reached a server).</summary>
    NotIdempotent = 1,
}
