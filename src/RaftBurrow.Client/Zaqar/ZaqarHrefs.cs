namespace RaftBurrow.Client.Zaqar;

/// <summary>Pulls ids and query values out of Zaqar's relative hrefs (ids are opaque; we never build them).</summary>
internal static class ZaqarHrefs
{
    public static string LastSegment(string href)
    {
        var end = href.IndexOf('?', StringComparison.Ordinal);
        var path = end < 0 ? href : href[..end];
        var slash = path.LastIndexOf('/');
        return Uri.UnescapeDataString(slash < 0 ? path : path[(slash + 1)..]);
    }

    public static string? QueryValue(string? href, string name)
    {
        if (href is null)
        {
            return null;
        }

        var q = href.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return null;
        }

        foreach (var pair in href[(q + 1)..].Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (key == name)
            {
                return Uri.UnescapeDataString(eq < 0 ? "" : pair[(eq + 1)..].Replace('+', ' '));
            }
        }

        return null;
    }
}
