using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RaftBurrow.Api.Burrow;

/// <summary>Which level of the Burrow tree a path names (contract §2).</summary>
internal enum BurrowLevel
{
    /// <summary><c>/v1.0</c>: every account.</summary>
    Accounts,
    /// <summary><c>/v1.0/{a}</c>: the queues of an account.</summary>
    Queues,
    /// <summary><c>/v1.0/{a}/{q}</c>: the messages of a queue.</summary>
    Messages,
    /// <summary><c>/v1.0/{a}/{q}/{m}</c>: one message.</summary>
    Message,
}

/// <summary>A matched Burrow path with its percent-decoded ids.</summary>
internal sealed record BurrowPath(BurrowLevel Level, string Account, string Queue, string Message)
{
    /// <summary>Some id is not valid UTF-8 once percent-decoded (answered 400 after the method check).</summary>
    public bool InvalidEncoding { get; init; }

    /// <summary>
    /// Matches the request's path exactly as sent: <c>/v1.0</c> followed by 0–3 non-empty segments,
    /// no trailing slash. Segments are percent-decoded one by one, so an encoded slash (<c>m%2Fe</c>)
    /// is never an id: such a path matches no route, like in the reference where it splits into
    /// more segments. Returns null for no route.
    /// </summary>
    public static BurrowPath? TryParse(HttpContext context)
    {
        // Kestrel decodes Request.Path (except %2F) and removes dot segments; the raw target is what
        // the client sent, which is what the contract matches on.
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string[] segments;
        var invalid = false;
        if (!string.IsNullOrEmpty(raw) && raw[0] == '/')
        {
            var query = raw.IndexOf('?', StringComparison.Ordinal);
            var path = query >= 0 ? raw[..query] : raw;
            segments = path[1..].Split('/');
            for (var i = 0; i < segments.Length; i++)
            {
                var decoded = Decode(segments[i]);
                invalid |= decoded is null;
                if (decoded is not null && decoded.Contains('/', StringComparison.Ordinal))
                    return null;
                segments[i] = decoded ?? segments[i];
            }
        }
        else
        {
            var path = context.Request.PathBase.Add(context.Request.Path).Value ?? "";
            if (path.Length == 0 || path.Contains("%2F", StringComparison.OrdinalIgnoreCase))
                return null;
            segments = path[1..].Split('/');
        }

        if (segments.Length is < 1 or > 4 || segments[0] != "v1.0")
            return null;
        for (var i = 1; i < segments.Length; i++)
        {
            if (segments[i].Length == 0)
                return null;
        }

        var parsed = segments.Length switch
        {
            1 => new BurrowPath(BurrowLevel.Accounts, "", "", ""),
            2 => new BurrowPath(BurrowLevel.Queues, segments[1], "", ""),
            3 => new BurrowPath(BurrowLevel.Messages, segments[1], segments[2], ""),
            _ => new BurrowPath(BurrowLevel.Message, segments[1], segments[2], segments[3]),
        };
        return parsed with { InvalidEncoding = invalid };
    }

    /// <summary>Percent-decodes one segment to UTF-8 text; a '%' not followed by two hex digits stays
    /// literal (like Python's unquote). Null when the bytes are not valid UTF-8.</summary>
    internal static string? Decode(string segment)
    {
        if (!segment.Contains('%', StringComparison.Ordinal))
            return segment;
        var bytes = new List<byte>(segment.Length);
        var literalStart = 0;
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] != '%' || i + 2 >= segment.Length
                || !Uri.IsHexDigit(segment[i + 1]) || !Uri.IsHexDigit(segment[i + 2]))
                continue;
            bytes.AddRange(Encoding.UTF8.GetBytes(segment[literalStart..i]));
            bytes.Add((byte)((Uri.FromHex(segment[i + 1]) << 4) | Uri.FromHex(segment[i + 2])));
            i += 2;
            literalStart = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(segment[literalStart..]));
        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>UTF-8 that throws on invalid bytes instead of substituting U+FFFD.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
