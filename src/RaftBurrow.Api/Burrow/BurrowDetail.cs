namespace RaftBurrow.Api.Burrow;

/// <summary>The <c>detail</c> filter: what a Burrow response carries for each item (contract §5).</summary>
internal enum BurrowDetail
{
    /// <summary>Nothing (an empty 200).</summary>
    None,
    /// <summary>Ids only.</summary>
    Id,
    /// <summary>Message id, ttl and hide (messages only).</summary>
    Attributes,
    /// <summary>Message body only (messages only).</summary>
    Body,
    /// <summary>Everything.</summary>
    All,
}

/// <summary>Parses <c>detail</c> values; the check is deferred to the point the contract makes it.</summary>
internal static class BurrowDetails
{
    /// <summary>Parses a detail value (case-sensitive like the reference); null when unknown.</summary>
    public static BurrowDetail? Parse(string value) => value switch
    {
        "none" => BurrowDetail.None,
        "id" => BurrowDetail.Id,
        "attributes" => BurrowDetail.Attributes,
        "body" => BurrowDetail.Body,
        "all" => BurrowDetail.All,
        _ => null,
    };

    /// <summary>Whether accounts and queues (which have no attributes or body) accept this level.</summary>
    public static bool ValidForNames(BurrowDetail detail) =>
        detail is BurrowDetail.None or BurrowDetail.Id or BurrowDetail.All;
}
