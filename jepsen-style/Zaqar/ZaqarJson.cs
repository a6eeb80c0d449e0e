using System.Text.Json;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Zaqar;

/// <summary>Parsing of Zaqar v2 response bodies (shapes as in Zaqar's api-ref samples).</summary>
public static class ZaqarJson
{
    /// <summary>The request body for posting one message carrying <paramref name="value"/>.</summary>
    public static string PostBody(string value, int ttlSeconds) =>
        JsonSerializer.Serialize(new { messages = new[] { new { ttl = ttlSeconds, body = new { v = value } } } });

    /// <summary>The request body for a claim.</summary>
    public static string ClaimBody(int ttlSeconds, int graceSeconds) => JsonSerializer.Serialize(new { ttl = ttlSeconds, grace = graceSeconds });

    /// <summary>Message ids from a 201 {"resources": [href, ...]}.</summary>
    public static List<string> ParseResources(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var ids = new List<string>();
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("resources", out var res) && res.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in res.EnumerateArray())
            {
                if (r.GetString() is { } href && IdFromHref(href) is { } id)
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
    }

    /// <summary>Messages from a claim (bare array or {"messages": [...]}), pop or list response.</summary>
    public static List<DeliveredMessage> ParseMessages(string json, string? claimIdFallback = null)
    {
        var list = new List<DeliveredMessage>();
        if (string.IsNullOrWhiteSpace(json))
        {
            return list;
        }

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var array = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Array ? m
            : default;
        if (array.ValueKind != JsonValueKind.Array)
        {
            return list;
        }

        foreach (var msg in array.EnumerateArray())
        {
            var href = Str(msg, "href");
            var id = Str(msg, "id") ?? (href is null ? null : IdFromHref(href));
            var claimId = Str(msg, "claim_id") ?? (href is null ? null : QueryParam(href, "claim_id")) ?? claimIdFallback;
            list.Add(new DeliveredMessage(id, claimId, ValueOf(msg)));
        }

        return list;
    }

    /// <summary>The "next" link of a list response, when it has one.</summary>
    public static string? NextLink(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("links", out var links) || links.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var l in links.EnumerateArray())
        {
            if (Str(l, "rel") == "next")
            {
                return Str(l, "href");
            }
        }

        return null;
    }

    /// <summary>The last path segment of an href (query removed): the message or claim id.</summary>
    public static string? IdFromHref(string href)
    {
        var path = href.Split('?', 2)[0].TrimEnd('/');
        var slash = path.LastIndexOf('/');
        var id = slash >= 0 ? path[(slash + 1)..] : path;
        return id.Length == 0 ? null : id;
    }

    /// <summary>A query parameter of an href, unescaped.</summary>
    public static string? QueryParam(string href, string name)
    {
        var q = href.Split('?', 2);
        if (q.Length < 2)
        {
            return null;
        }

        foreach (var pair in q[1].Split('&'))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0] == name)
            {
                return Uri.UnescapeDataString(kv[1]);
            }
        }

        return null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static string? ValueOf(JsonElement msg)
    {
        if (!msg.TryGetProperty("body", out var body))
        {
            return null;
        }

        return body.ValueKind switch
        {
            JsonValueKind.Object when body.TryGetProperty("v", out var v) => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText(),
            JsonValueKind.String => body.GetString(),
            _ => body.GetRawText(),
        };
    }
}
