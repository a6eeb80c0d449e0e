using System.Text.Json;
using System.Text.Json.Nodes;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Zaqar's queue-metadata JSON patch: operations <c>add</c>, <c>replace</c>, <c>remove</c> on paths
/// <c>/metadata/&lt;key&gt;</c> (JSON-pointer escaped: <c>~1</c> is <c>/</c>, <c>~0</c> is <c>~</c>).
/// All or nothing. System.Text.Json is pure (no I/O), and its output is a function of its input, so
/// every replica produces the same bytes.
/// </summary>
internal static class MetadataPatch
{
    /// <summary>The patched document, or null if any operation is invalid (bad op, bad path, missing
    /// target for replace/remove, unparseable value, or a stored document that is not an object).</summary>
    public static byte[]? TryApply(byte[] metadataJson, MetadataPatchOp[] ops)
    {
        try
        {
            if (JsonNode.Parse(metadataJson) is not JsonObject doc)
                return null;
            foreach (var op in ops)
            {
                var key = KeyOf(op.Path);
                if (key is null)
                    return null;
                switch (op.Op)
                {
                    case "add":
                    case "replace":
                        if (op.Op == "replace" && !doc.ContainsKey(key))
                            return null;
                        doc[key] = JsonNode.Parse(op.ValueJson);
                        break;
                    case "remove":
                        if (!doc.Remove(key))
                            return null;
                        break;
                    default:
                        return null;
                }
            }
            return JsonSerializer.SerializeToUtf8Bytes(doc);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? KeyOf(string path)
    {
        const string prefix = "/metadata/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || path.Length == prefix.Length)
            return null;
        var key = path[prefix.Length..];
        if (key.Contains('/', StringComparison.Ordinal))
            return null;
        return key.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
    }
}
