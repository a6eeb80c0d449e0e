using System.Text;

namespace RaftBurrow.Cli.Output;

/// <summary>A plain-text table: a header row, aligned columns (numbers right-aligned), two spaces apart.</summary>
public sealed class TextTable
{
    private readonly string[] headers;
    private readonly bool[] rightAligned;
    private readonly List<string[]> rows = [];

    /// <summary>Creates a table; a header ending in ">" is right-aligned (the ">" is not shown).</summary>
    public TextTable(params string[] headers)
    {
        rightAligned = headers.Select(h => h.EndsWith('>')).ToArray();
        this.headers = headers.Select(h => h.TrimEnd('>')).ToArray();
    }

    /// <summary>Number of data rows.</summary>
    public int Count => rows.Count;

    /// <summary>Adds a row (missing cells are blank).</summary>
    public TextTable Add(params string?[] cells)
    {
        var row = new string[headers.Length];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = i < cells.Length ? cells[i] ?? "" : "";
        }

        rows.Add(row);
        return this;
    }

    /// <summary>The table as text, one line per row, each ending in a newline.</summary>
    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        Line(headers);
        foreach (var row in rows)
        {
            Line(row);
        }

        return text.ToString();

        void Line(string[] cells)
        {
            var line = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    line.Append("  ");
                }

                line.Append(rightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
