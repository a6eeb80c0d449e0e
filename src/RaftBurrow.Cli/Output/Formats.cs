using System.Globalization;

namespace RaftBurrow.Cli.Output;

/// <summary>Number formats of the text output (invariant culture: the output is the same on every machine).</summary>
public static class Formats
{
    /// <summary>12,345</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>12,345 (rounded)</summary>
    public static string Rate(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds with 2 decimals (3 below 1 ms).</summary>
    public static string Ms(double value) => value.ToString(value < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);

    /// <summary>Plain integer.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds with 1 decimal.</summary>
    public static string Seconds(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
