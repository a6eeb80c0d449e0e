using System.Text.Json.Serialization;

namespace RaftBurrow.Client.Burrow;

/// <summary>Burrow's <c>detail</c> parameter: what an operation returns.</summary>
public enum BurrowDetail
{
    /// <summary>Server default for the operation.</summary>
    Default = 0,

    /// <summary>Nothing (204).</summary>
    None,

    /// <summary>Ids only.</summary>
    Id,

    /// <summary>Id, ttl, hide (messages only).</summary>
    Attributes,

    /// <summary>Bodies only (messages only).</summary>
    Body,

    /// <summary>Everything.</summary>
    All,
}

/// <summary>Filters and attributes of a Burrow request; each maps to one query parameter.</summary>
public sealed record BurrowQuery
{
    /// <summary>At most this many items.</summary>
    public int? Limit { get; init; }

    /// <summary>Start after this id.</summary>
    public string? Marker { get; init; }

    /// <summary>Match hidden messages too.</summary>
    public bool MatchHidden { get; init; }

    /// <summary>Long-poll for up to this many seconds when nothing matches.</summary>
    public int? WaitSeconds { get; init; }

    /// <summary>What to return.</summary>
    public BurrowDetail Detail { get; init; }

    /// <summary>Set ttl (seconds; 0 = never expires).</summary>
    public int? TtlSeconds { get; init; }

    /// <summary>Set hide (seconds; 0 = visible).</summary>
    public int? HideSeconds { get; init; }
}

/// <summary>A Burrow message. Fields absent at the chosen detail level are null.</summary>
public sealed record BurrowMessage
{
    /// <summary>Message id.</summary>
    [JsonPropertyName("id")] public string? Id { get; init; }

    /// <summary>Remaining ttl, seconds (0 = never expires).</summary>
    [JsonPropertyName("ttl")] public long? Ttl { get; init; }

    /// <summary>Remaining hide, seconds (0 = visible).</summary>
    [JsonPropertyName("hide")] public long? Hide { get; init; }

    /// <summary>The body text.</summary>
    [JsonPropertyName("body")] public string? Body { get; init; }
}

internal sealed record BurrowNamed
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
}
