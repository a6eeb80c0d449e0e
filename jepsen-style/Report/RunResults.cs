using System.Text.Json;
using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.Cli;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Report;

/// <summary>The content of results.json.</summary>
public sealed class RunResults
{
    /// <summary>Run id (directory name).</summary>
    public string RunId { get; init; } = "";
    /// <summary>Overall verdict.</summary>
    public Validity Valid { get; init; }
    /// <summary>Process exit code.</summary>
    public int ExitCode { get; init; }
    /// <summary>Seed.</summary>
    public long Seed { get; init; }
    /// <summary>Options used.</summary>
    public TestOptions? Options { get; init; }
    /// <summary>Operation counts by f and result.</summary>
    public SortedDictionary<string, long> OpCounts { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Fault events.</summary>
    public int FaultEvents { get; init; }
    /// <summary>Per checker results.</summary>
    public List<CheckResult> Checkers { get; init; } = [];
    /// <summary>Things that went wrong around the test (startup, recovery, drain).</summary>
    public List<string> Notes { get; init; } = [];

    /// <summary>Builds results from checker outcomes; harness problems (notes marked fatal) force unknown.</summary>
    public static RunResults From(string runId, TestOptions o, RunHistory history, List<CheckResult> checkers, List<string> notes, bool harnessFailed)
    {
        var valid = CheckResult.Combine(checkers);
        if (harnessFailed && valid == Validity.Valid)
        {
            valid = Validity.Unknown;
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var g in history.Operations.GroupBy(op => $"{op.F}:{op.Result.ToString().ToLowerInvariant()}"))
        {
            counts[g.Key] = g.Count();
        }

        return new RunResults
        {
            RunId = runId,
            Valid = valid,
            ExitCode = CheckResult.ExitCode(valid),
            Seed = o.Seed,
            Options = o,
            OpCounts = counts,
            FaultEvents = history.Faults.Count,
            Checkers = checkers,
            Notes = notes,
        };
    }

    /// <summary>Indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Indented);

    private static readonly JsonSerializerOptions Indented = new(HistoryFile.Json) { WriteIndented = true };
}
