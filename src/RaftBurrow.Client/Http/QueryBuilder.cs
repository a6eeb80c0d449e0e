using System.Globalization;
using System.Text;

namespace RaftBurrow.Client.Http;

/// <summary>Builds <c>?a=1&amp;b=x</c> with escaped values; skips nulls.</summary>
internal sealed class QueryBuilder
{
    private StringBuilder? text;

    public QueryBuilder Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        text ??= new StringBuilder();
        text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public QueryBuilder Add(string name, int? value) => value is { } v ? Add(name, v.ToString(CultureInfo.InvariantCulture)) : this;

    public QueryBuilder Add(string name, bool value, bool onlyIfTrue = true) =>
        value || !onlyIfTrue ? Add(name, value ? "true" : "false") : this;

    public override string ToString() => text?.ToString() ?? "";
}
