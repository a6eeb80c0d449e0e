using System.Collections.Frozen;
using System.Security.Cryptography;

namespace RaftBurrow.Api.Dashboard;

/// <summary>
/// The dashboard's static files, read once from the Api assembly's embedded resources
/// (<c>RaftBurrow.Dashboard.&lt;file&gt;</c>, see the csproj) with their content types and ETags.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "RaftBurrow.Dashboard.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every asset by file name (e.g. <c>index.html</c>).</summary>
    public static readonly FrozenDictionary<string, Asset> Files = Load();

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var file = name[Prefix.Length..];
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes).AsSpan(0, 8)).ToLowerInvariant() + "\"";
            files[file] = new Asset(bytes, type, etag);
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>One file: its bytes, content type and strong ETag.</summary>
    internal sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
