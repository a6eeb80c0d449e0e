using System.Text.Json.Serialization;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>A checker's verdict.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Validity>))]
public enum Validity
{
    /// <summary>No anomaly found.</summary>
    Valid,
    /// <summary>At least one anomaly proven.</summary>
    Invalid,
    /// <summary>Could not decide (indeterminate ops, search budget, missing data).</summary>
    Unknown,
    /// <summary>Not applicable to this history (does not affect the verdict).</summary>
    Skipped,
}

/// <summary>What one checker found: verdict, counts and the first anomalies.</summary>
public sealed class CheckResult
{
    /// <summary>Most anomalies kept per checker (the counts stay exact).</summary>
    public const int MaxAnomalies = 20;

    /// <summary>Checker name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Verdict.</summary>
    public Validity Validity { get; set; } = Validity.Valid;
    /// <summary>Named counts (e.g. lost, duplicated, recovered).</summary>
    public SortedDictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);
    /// <summary>The first anomalies, human readable.</summary>
    public List<string> Anomalies { get; } = [];
    /// <summary>Why the verdict is unknown or skipped, and other remarks.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Records an anomaly and makes the verdict invalid.</summary>
    public void Anomaly(string kind, string text)
    {
        Validity = Validity.Invalid;
        Add(kind);
        if (Anomalies.Count < MaxAnomalies)
        {
            Anomalies.Add(text);
        }
    }

    /// <summary>Marks the verdict unknown unless an anomaly was already proven.</summary>
    public void Undecided(string why)
    {
        if (Validity != Validity.Invalid)
        {
            Validity = Validity.Unknown;
        }

        Notes.Add(why);
    }

    /// <summary>Adds to a count.</summary>
    public void Add(string counter, long n = 1) => Counts[counter] = Counts.GetValueOrDefault(counter) + n;

    /// <summary>A skipped result.</summary>
    public static CheckResult Skip(string name, string why)
    {
        var r = new CheckResult { Name = name, Validity = Validity.Skipped };
        r.Notes.Add(why);
        return r;
    }

    /// <summary>Combines verdicts: any invalid wins, then unknown, skipped ones are ignored.</summary>
    public static Validity Combine(IEnumerable<CheckResult> results)
    {
        var list = results.Where(r => r.Validity != Validity.Skipped).ToList();
        if (list.Any(r => r.Validity == Validity.Invalid))
        {
            return Validity.Invalid;
        }

        return list.Any(r => r.Validity == Validity.Unknown) ? Validity.Unknown : Validity.Valid;
    }

    /// <summary>Process exit code for a verdict: 0 valid, 1 anomalies, 2 unknown.</summary>
    public static int ExitCode(Validity v) => v switch
    {
        Validity.Valid => 0,
        Validity.Invalid => 1,
        _ => 2,
    };
}
