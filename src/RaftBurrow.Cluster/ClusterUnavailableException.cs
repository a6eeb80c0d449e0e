namespace RaftBurrow.Cluster;

/// <summary>No leader of a partition answered (or no majority committed) before the request's deadline.
/// The API edge answers 503 with Retry-After; a write that failed this way may still commit later
/// (a retry with the same request id returns its result).</summary>
public sealed class ClusterUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException() : this("No leader is reachable for this partition.") { }

    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException(string message) : this(message, null) { }
}
