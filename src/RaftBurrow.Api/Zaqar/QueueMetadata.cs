using System.Text.Json;
using System.Text.Json.Nodes;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Queue metadata rules: the reserved keys' types and ranges (Zaqar's queue_metadata_putting), the
/// defaults shown for unset reserved keys, and the validation of json-patch documents.
/// </summary>
internal static class QueueMetadata
{
    /// <summary>The PATCH media type.</summary>
    public const string PatchMediaType = "application/openstack-messaging-v2.0-json-patch";

    private const int MinMessageTtlSeconds = 60;
    private static readonly string[] RetryBackoffFunctions = ["linear", "arithmetic", "geometric", "exponential"];

    /// <summary>Reserved keys GET shows with a default when unset or falsy.</summary>
    public static readonly string[] ReservedKeys =
    [
        "_max_messages_post_size", "_default_message_ttl", "_default_message_delay", "_dead_letter_queue",
        "_dead_letter_queue_messages_ttl", "_max_claim_count", "_enable_encrypt_messages",
    ];

    /// <summary>Validates the reserved keys of a metadata object; returns the error text or null.</summary>
    public static string? Validate(JsonElement metadata, ZaqarOptions options)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
            return "Document type not supported.";
        var maxTtl = options.MaxMessageTtlSeconds;
        if (CheckInt(metadata, "_default_message_ttl", MinMessageTtlSeconds, maxTtl,
                $"_default_message_ttl can not exceed {maxTtl} seconds, and must be at least {MinMessageTtlSeconds} seconds long.") is { } e1)
            return e1;
        if (CheckInt(metadata, "_max_messages_post_size", 1, options.MaxMessagesPostBytes,
                $"_max_messages_post_size can not exceed {options.MaxMessagesPostBytes},  and must be at least greater than 0.") is { } e2)
            return e2;
        if (CheckInt(metadata, "_max_claim_count", long.MinValue, long.MaxValue, "") is { } e3)
            return e3;
        if (CheckInt(metadata, "_dead_letter_queue_messages_ttl", MinMessageTtlSeconds, maxTtl,
                $"The TTL for a message may not exceed {maxTtl} seconds, and must be at least {MinMessageTtlSeconds} seconds long.") is { } e4)
            return e4;
        if (CheckInt(metadata, "_default_message_delay", 0, options.MaxMessageDelaySeconds,
                $"The TTL can not exceed {options.MaxMessageDelaySeconds} seconds, and must be at least 0 seconds long.") is { } e5)
            return e5;
        if (metadata.TryGetProperty("_enable_encrypt_messages", out var encrypt) && JsonFields.IsTruthy(encrypt)
            && encrypt.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return "_enable_encrypt_messages must be boolean.";
        // Stricter than Zaqar: a dead-letter queue must be a valid queue name.
        if (metadata.TryGetProperty("_dead_letter_queue", out var dlq) && JsonFields.IsTruthy(dlq)
            && (dlq.ValueKind != JsonValueKind.String || !ZaqarEndpoint.IsValidQueueName(dlq.GetString()!)))
            return "_dead_letter_queue must be a valid queue name.";
        return ValidateRetryPolicy(metadata);
    }

    /// <summary>Zaqar's checks of <c>_retry_policy</c> (in queue metadata and subscription options).</summary>
    public static string? ValidateRetryPolicy(JsonElement container)
    {
        if (container.ValueKind != JsonValueKind.Object || !container.TryGetProperty("_retry_policy", out var policy) || !JsonFields.IsTruthy(policy))
            return null;
        if (policy.ValueKind != JsonValueKind.Object)
            return "retry_policy must be a dict.";
        foreach (var key in new[] { "retries_with_no_delay", "minimum_delay_retries", "minimum_delay", "maximum_delay", "maximum_delay_retries" })
            if (policy.TryGetProperty(key, out var v) && JsonFields.IsTruthy(v) && !JsonFields.IsInteger(v, out _))
                return $"Retry policy: {key} must be a integer.";
        if (policy.TryGetProperty("retry_backoff_function", out var f) && JsonFields.IsTruthy(f))
        {
            if (f.ValueKind != JsonValueKind.String)
                return "retry_backoff_function must be a string.";
            if (!RetryBackoffFunctions.Contains(f.GetString()))
                return "invalid retry_backoff_function.";
        }
        if (policy.TryGetProperty("ignore_subscription_override", out var o) && JsonFields.IsTruthy(o) && o.ValueKind != JsonValueKind.True)
            return "ignore_subscription_override must be a boolean.";
        long min = 10, max = 3600;
        if (policy.TryGetProperty("minimum_delay", out var minElement) && JsonFields.IsInteger(minElement, out var m1))
            min = m1;
        if (policy.TryGetProperty("maximum_delay", out var maxElement) && JsonFields.IsInteger(maxElement, out var m2))
            max = m2;
        return max < min ? "minimum_delay must less than maximum_delay." : null;
    }

    private static string? CheckInt(JsonElement metadata, string key, long min, long max, string rangeText)
    {
        if (!metadata.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (!JsonFields.IsInteger(value, out var number))
            return JsonFields.IsTruthy(value) || value.ValueKind != JsonValueKind.Number ? $"{key} must be integer." : null;
        return number < min || number > max ? rangeText : null;
    }

    /// <summary>Writes a metadata document with Zaqar's defaults for reserved keys that are unset or falsy.</summary>
    public static void WriteWithDefaults(Utf8JsonWriter writer, byte[] metadataJson, ZaqarOptions options)
    {
        writer.WriteStartObject();
        var present = new HashSet<string>(StringComparer.Ordinal);
        if (metadataJson.Length > 0)
        {
            using var document = JsonDocument.Parse(metadataJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (ReservedKeys.Contains(property.Name) && !JsonFields.IsTruthy(property.Value))
                        continue;
                    present.Add(property.Name);
                    property.WriteTo(writer);
                }
        }
        foreach (var key in ReservedKeys)
        {
            if (present.Contains(key))
                continue;
            switch (key)
            {
                case "_max_messages_post_size": writer.WriteNumber(key, options.MaxMessagesPostBytes); break;
                case "_default_message_ttl": writer.WriteNumber(key, options.DefaultMessageTtlSeconds); break;
                case "_default_message_delay": writer.WriteNumber(key, options.DefaultMessageDelaySeconds); break;
                case "_enable_encrypt_messages": writer.WriteBoolean(key, false); break;
                default: writer.WriteNull(key); break;
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// Validates a json-patch document against the current metadata (Zaqar's queue_patching and its
    /// add/replace/remove rules) and returns the operations to replicate, the patched document (for
    /// the reserved-key check), or an error.
    /// </summary>
    public static ZaqarError? TryPlan(JsonElement changes, byte[] currentJson, ZaqarOptions options, out MetadataPatchOp[] ops)
    {
        ops = [];
        if (changes.ValueKind != JsonValueKind.Array)
            return ZaqarError.DocumentType();
        var parsed = new List<(string Op, string Key, JsonElement Value)>();
        foreach (var change in changes.EnumerateArray())
        {
            if (change.ValueKind != JsonValueKind.Object)
                return ZaqarError.BadBody("Operations must be JSON objects.");
            if (!change.TryGetProperty("op", out var opElement))
                return ZaqarError.BadBody("Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.");
            var op = opElement.ValueKind == JsonValueKind.String ? opElement.GetString()! : opElement.GetRawText();
            if (op is not ("add" or "remove" or "replace"))
                return ZaqarError.BadBody($"Invalid operation: `{op}`. It must be one of the following: add, remove, replace.");
            if (!change.TryGetProperty("path", out var pathElement))
                return ZaqarError.BadBody("Unable to find 'path' in JSON Schema change");
            if (pathElement.ValueKind != JsonValueKind.String)
                return ZaqarError.BadBody("Pointer must be a string.");
            var pointer = pathElement.GetString()!;
            if (ValidatePointer(pointer) is { } pointerError)
                return ZaqarError.BadBody(pointerError);
            var parts = pointer.TrimStart('/').Split('/').Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal).Trim()).ToArray();
            if (parts.Length != 2)
                return ZaqarError.BadBody($"Invalid JSON pointer for this resource: '/{string.Join('/', parts)}, e.g /metadata/key'");
            var value = default(JsonElement);
            if (op != "remove")
            {
                if (!change.TryGetProperty("value", out value))
                    return ZaqarError.BadBody($"Operation \"{op}\" requires a member named \"value\".");
                if (!parts[0].Equals("metadata", StringComparison.OrdinalIgnoreCase))
                    return ZaqarError.BadBody("The root of path must be metadata, e.g /metadata/key.");
            }
            parsed.Add((op, parts[1], value));
        }

        // Dry run on the current document for Zaqar's 409s and the final reserved-key check.
        var document = (currentJson.Length > 0 ? JsonNode.Parse(currentJson) as JsonObject : null) ?? [];
        var planned = new List<MetadataPatchOp>(parsed.Count);
        foreach (var (op, key, value) in parsed)
        {
            var reserved = ReservedKeys.Contains(key);
            var path = "/metadata/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            switch (op)
            {
                case "replace" when !document.ContainsKey(key) && !reserved:
                    return ZaqarError.Conflict($"Can't replace non-existent object {key}.");
                case "remove" when !document.ContainsKey(key):
                    if (!reserved)
                        return ZaqarError.Conflict($"Can't remove non-existent object {key}.");
                    continue; // removing an unset reserved key is a no-op in Zaqar
                case "remove":
                    document.Remove(key);
                    planned.Add(new MetadataPatchOp { Op = "remove", Path = path });
                    continue;
            }
            var raw = JsonSerializerRaw(value);
            var existed = document.ContainsKey(key);
            document[key] = JsonNode.Parse(raw);
            // A replace of an unset reserved key is an add (Zaqar allows it; json-patch would not).
            planned.Add(new MetadataPatchOp { Op = op == "replace" && existed ? "replace" : "add", Path = path, ValueJson = raw });
        }
        var patched = System.Text.Encoding.UTF8.GetBytes(document.ToJsonString());
        if (patched.Length > options.MaxQueueMetadataBytes)
            return ZaqarError.BadBody($"Queue metadata is too large. Max size: {options.MaxQueueMetadataBytes}");
        using (var check = JsonDocument.Parse(patched))
            if (Validate(check.RootElement, options) is { } reservedError)
                return ZaqarError.BadBody(reservedError);
        ops = [.. planned];
        return null;
    }

    private static byte[] JsonSerializerRaw(JsonElement value) => System.Text.Encoding.UTF8.GetBytes(value.GetRawText());

    private static string? ValidatePointer(string pointer)
    {
        if (!pointer.StartsWith('/'))
            return $"Pointer `{pointer}` does not start with \"/\".";
        if (System.Text.RegularExpressions.Regex.IsMatch(pointer[1..], @"/\s*?/"))
            return $"Pointer `{pointer}` contains adjacent \"/\".";
        if (pointer.Length > 1 && pointer.EndsWith('/'))
            return $"Pointer `{pointer}` end with \"/\".";
        if (pointer[1..].Trim() == "/")
            return $"Pointer `{pointer}` does not contains valid token.";
        if (System.Text.RegularExpressions.Regex.IsMatch(pointer, "~[^01]") || pointer.EndsWith('~'))
            return $"Pointer `{pointer}` contains \"~\" not part of a recognized escape sequence.";
        return null;
    }
}
