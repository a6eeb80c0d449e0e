namespace RaftBurrow.Api.Burrow;

/// <summary>
/// Integer parsing with Python <c>int()</c>'s rules, which the reference applies to every numeric
/// parameter: surrounding whitespace, an optional sign, decimal digits with single underscores
/// between digits. Values beyond <see cref="long"/> saturate (Python's ints are unbounded; every
/// caller clamps or rejects far below that anyway). Non-ASCII digits, which Python also accepts,
/// are rejected.
/// </summary>
internal static class PythonInt
{
    /// <summary>Parses <paramref name="text"/>; false when Python's <c>int()</c> would raise (or for non-ASCII digits).</summary>
    public static bool TryParse(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
            return false;
        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.IsEmpty || !char.IsAsciiDigit(s[0]) || !char.IsAsciiDigit(s[^1]))
            return false;
        var magnitude = 0UL;
        var saturated = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '_')
            {
                // Only between two digits: "1__0" and "_1" are invalid.
                if (!char.IsAsciiDigit(s[i - 1]) || !char.IsAsciiDigit(s[i + 1]))
                    return false;
                continue;
            }

            if (!char.IsAsciiDigit(c))
                return false;
            if (!saturated)
            {
                var next = (magnitude * 10) + (ulong)(c - '0');
                if (magnitude > (ulong.MaxValue - 9) / 10 || next > (ulong)long.MaxValue)
                    saturated = true;
                else
                    magnitude = next;
            }
        }

        value = saturated ? (negative ? long.MinValue : long.MaxValue) : (negative ? -(long)magnitude : (long)magnitude);
        return true;
    }
}
