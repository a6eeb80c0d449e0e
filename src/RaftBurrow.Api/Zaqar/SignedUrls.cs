using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Pre-signed URLs (POST /v2/queues/{q}/share): an HMAC-SHA256, keyed with the configured secret,
/// over the sorted paths, sorted methods, project and expiry. A request that carries the
/// URL-Signature, URL-Paths, URL-Methods and URL-Expires headers is accepted in place of auth if
/// the signature matches, the expiry is in the future, and its method and path are covered.
/// </summary>
public static class SignedUrls
{
    /// <summary>The expiry format (UTC, no zone).</summary>
    public const string ExpiresFormat = "yyyy-MM-dd'T'HH:mm:ss";

    /// <summary>A signed grant.</summary>
    public sealed record Grant(string[] Paths, string[] Methods, string Project, string Expires, string Signature);

    /// <summary>Parses an ISO 8601 expiry (a zone is honoured; none means UTC). Integers are refused, as Zaqar does.</summary>
    public static string? TryParseExpires(string text, out DateTimeOffset expires)
    {
        expires = default;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            return $"`expires` should be date format, for example 2016-01-01T00:00:00, not integer value: {number}";
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out expires))
            return $"Unable to parse date string '{text}'";
        return null;
    }

    /// <summary>Signs a grant; returns an error text instead when an argument is refused.</summary>
    public static string? TryCreate(string key, IEnumerable<string> paths, string project, DateTimeOffset expires, IEnumerable<string> methods,
        DateTimeOffset now, out Grant? grant)
    {
        grant = null;
        if (string.IsNullOrEmpty(key))
            return "Pre-signed URLs are disabled: no Zaqar:SignedUrlSecretKey is configured.";
        var truncated = new DateTimeOffset(expires.UtcDateTime.Ticks - expires.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (truncated <= now)
            return "`expires` is lower than the current time";
        var sortedPaths = paths.Order(StringComparer.Ordinal).ToArray();
        var sortedMethods = methods.Order(StringComparer.Ordinal).ToArray();
        var expiresText = truncated.UtcDateTime.ToString(ExpiresFormat, CultureInfo.InvariantCulture);
        grant = new Grant(sortedPaths, sortedMethods, project, expiresText, Sign(key, sortedPaths, sortedMethods, project, expiresText));
        return null;
    }

    /// <summary>The hex HMAC-SHA256 of the grant. The separators are a literal backslash and n, as Zaqar signs.</summary>
    public static string Sign(string key, string[] sortedPaths, string[] sortedMethods, string project, string expiresText)
    {
        var message = string.Join(',', sortedPaths) + "\\n" + string.Join(',', sortedMethods) + "\\n" + project + "\\n" + expiresText;
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Whether a request carrying signature headers may proceed: its method and path are covered,
    /// the expiry is valid and in the future, and the signature matches.
    /// </summary>
    public static bool Verify(string key, string method, string path, string project, string? expiresHeader, string? methodsHeader,
        string? pathsHeader, string signature, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(key) || expiresHeader is null)
            return false;
        var methods = (methodsHeader ?? "").Split(',', StringSplitOptions.TrimEntries);
        var paths = (pathsHeader ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (!methods.Contains(method, StringComparer.Ordinal))
            return false;
        if (!paths.Any(p => p.Length > 0 && path.Contains(p, StringComparison.Ordinal)))
            return false;
        if (TryParseExpires(expiresHeader, out var expires) is not null)
            return false;
        if (TryCreate(key, paths, project, expires, methods, now, out var grant) is not null)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(grant!.Signature), Encoding.ASCII.GetBytes(signature));
    }
}
