using System.Globalization;
using System.Text.Json;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>How Zaqar v2 resources look on the wire (api-ref samples), written with <see cref="Utf8JsonWriter"/>.</summary>
internal static class ZaqarJson
{
    /// <summary>Whole seconds between two Unix-ms instants (never negative).</summary>
    public static long AgeSeconds(long nowMs, long thenMs) => Math.Max(0, (nowMs - thenMs) / 1000);

    /// <summary>Zaqar's timestamp format: <c>2013-08-12T20:44:55Z</c>.</summary>
    public static string IsoUtc(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The href of a message under <paramref name="queueHref"/> (<c>/v2/queues/q</c>), with its claim when it has one.</summary>
    public static string MessageHref(string queueHref, string messageId, string? claimId) =>
        claimId is null ? queueHref + "/messages/" + messageId : queueHref + "/messages/" + messageId + "?claim_id=" + claimId;

    /// <summary>A message as listed, fetched or claimed: id, href, ttl, age, body.</summary>
    public static void WriteMessage(Utf8JsonWriter writer, MessageView message, long nowMs, string queueHref, string? claimId)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteString("href", MessageHref(queueHref, message.Id, claimId));
        writer.WriteNumber("ttl", message.TtlSeconds);
        writer.WriteNumber("age", AgeSeconds(nowMs, message.CreatedMs));
        writer.WritePropertyName("body");
        WriteRaw(writer, message.BodyJson);
        writer.WriteEndObject();
    }

    /// <summary>A popped message: id, ttl, age, body, claim_count, claim_id (no href: it is gone).</summary>
    public static void WritePopped(Utf8JsonWriter writer, MessageView message, long nowMs)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteNumber("ttl", message.TtlSeconds);
        writer.WriteNumber("age", AgeSeconds(nowMs, message.CreatedMs));
        writer.WritePropertyName("body");
        WriteRaw(writer, message.BodyJson);
        writer.WriteNumber("claim_count", message.ClaimCount);
        if (message.ClaimId is null)
            writer.WriteNull("claim_id");
        else
            writer.WriteString("claim_id", message.ClaimId);
        writer.WriteEndObject();
    }

    /// <summary>Writes stored UTF-8 JSON as is (it was validated when it came in); empty means null.</summary>
    public static void WriteRaw(Utf8JsonWriter writer, byte[] json)
    {
        if (json.Length == 0)
            writer.WriteNullValue();
        else
            writer.WriteRawValue(json, skipInputValidation: true);
    }

    /// <summary><c>"links": [{"rel": "next", "href": …}]</c>, or an empty array when there is no next page.</summary>
    public static void WriteLinks(Utf8JsonWriter writer, string? nextHref)
    {
        writer.WriteStartArray("links");
        if (nextHref is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("rel", "next");
            writer.WriteString("href", nextHref);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>A query string in falcon's style (<c>?a=1&amp;b=true</c>), keys in the given order, nulls left out.</summary>
    public static string QueryString(params (string Key, object? Value)[] pairs)
    {
        var parts = new List<string>(pairs.Length);
        foreach (var (key, value) in pairs)
        {
            var text = value switch
            {
                null => null,
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            if (text is not null)
                parts.Add(key + "=" + Uri.EscapeDataString(text));
        }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
