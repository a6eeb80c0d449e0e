using Microsoft.AspNetCore.Http;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

/// <summary>
/// The filters and attributes of one request, parsed from the query string (contract §3): the last
/// of repeated parameters wins, unknown ones are ignored, integers follow Python's <c>int()</c>.
/// Every malformed number is a 400 here, before any lookup (the reference answered 500).
/// </summary>
internal sealed record BurrowQuery
{
    /// <summary>Raw <c>detail</c>, or null when absent (checked later, where the contract checks it).</summary>
    public string? Detail { get; init; }

    /// <summary><c>limit</c>; null = no limit (absent, 0 or negative, as the reference's memory backend).</summary>
    public int? Limit { get; init; }

    /// <summary><c>marker</c>, or null.</summary>
    public string? Marker { get; init; }

    /// <summary><c>match_hidden=true</c> (case-insensitive).</summary>
    public bool MatchHidden { get; init; }

    /// <summary><c>wait</c> in seconds, clamped to <see cref="BurrowOptions.MaxWaitSeconds"/>; 0 = no wait.</summary>
    public int WaitSeconds { get; init; }

    /// <summary><c>ttl</c>, or null when absent.</summary>
    public long? TtlSeconds { get; init; }

    /// <summary><c>hide</c>, or null when absent.</summary>
    public long? HideSeconds { get; init; }

    /// <summary>The message selector of the bulk message operations.</summary>
    public BurrowSelector Selector => new() { Limit = Limit, Marker = Marker, MatchHidden = MatchHidden };

    /// <summary>
    /// Parses the request's query string. As in the reference, PUT reads only the attributes (its
    /// filters are ignored, even malformed ones), POST reads both, GET and DELETE only the filters.
    /// </summary>
    public static BurrowQuery Parse(IQueryCollection query, string method, BurrowOptions options)
    {
        var parsed = new BurrowQuery();
        if (!HttpMethods.IsPut(method))
        {
            var limit = Integer(query, "limit");
            var wait = Integer(query, "wait");
            parsed = parsed with
            {
                Detail = Last(query, "detail"),
                Limit = limit is > 0 ? (int)Math.Min(limit.Value, int.MaxValue) : null,
                Marker = Last(query, "marker"),
                MatchHidden = string.Equals(Last(query, "match_hidden"), "true", StringComparison.OrdinalIgnoreCase),
                WaitSeconds = wait is > 0 ? (int)Math.Min(wait.Value, options.MaxWaitSeconds) : 0,
            };
        }

        if (HttpMethods.IsPut(method) || HttpMethods.IsPost(method))
        {
            parsed = parsed with
            {
                TtlSeconds = Attribute(query, "ttl", options),
                HideSeconds = Attribute(query, "hide", options),
            };
        }

        return parsed;
    }

    private static string? Last(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    private static long? Integer(IQueryCollection query, string name)
    {
        var text = Last(query, name);
        if (text is null)
            return null;
        if (!PythonInt.TryParse(text, out var value))
            throw new BurrowBadRequestException("Invalid parameter", $"{name} must be an integer, got '{text}'.");
        return value;
    }

    private static long? Attribute(IQueryCollection query, string name, BurrowOptions options)
    {
        var value = Integer(query, name);
        if (value is null)
            return null;
        // The reference stored negative values verbatim with odd effects (contract §3.2); refuse them.
        if (value < 0 || value > options.MaxAttributeSeconds)
        {
            throw new BurrowBadRequestException(
                "Invalid parameter", $"{name} must be between 0 and {options.MaxAttributeSeconds} seconds, got {value}.");
        }

        return value;
    }
}
