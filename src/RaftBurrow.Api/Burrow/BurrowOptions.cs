namespace RaftBurrow.Api.Burrow;

/// <summary>Settings of the Burrow v1.0 front end (configuration section <c>Burrow</c>).</summary>
public sealed class BurrowOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Burrow";

    /// <summary>ttl of a PUT without <c>ttl</c> (Burrow's <c>default_ttl</c>); 0 = never expires.</summary>
    public long DefaultTtlSeconds { get; set; } = 600;

    /// <summary>How many requests may be parked in a long poll on this node at once; past it → 503.</summary>
    public int MaxParkedWaiters { get; set; } = 1024;

    /// <summary>Longest <c>wait</c> honoured; larger values are clamped (the client just polls again).</summary>
    public int MaxWaitSeconds { get; set; } = 3600;

    /// <summary>
    /// A parked request re-checks its queue at least this often even without a wake-up. Wake-ups
    /// come from the partition's applied entries (PUT, un-hide, the expiry pulse); this is only a
    /// safety net against a wake-up the cluster layer could not deliver (e.g. a leader change).
    /// </summary>
    public int LongPollRecheckMs { get; set; } = 1000;

    /// <summary>Largest message body accepted by PUT (413 past it).</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>Largest <c>ttl</c> / <c>hide</c> accepted (400 past it): about 68 years.</summary>
    public long MaxAttributeSeconds { get; set; } = int.MaxValue;
}
