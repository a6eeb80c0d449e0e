namespace RaftBurrow.Jepsen.History;

/// <summary>A complete run history: operations ordered by invocation and fault events ordered by time.</summary>
public sealed class RunHistory
{
    /// <summary>Creates a history.</summary>
    public RunHistory(IReadOnlyList<Operation> operations, IReadOnlyList<FaultEvent> faults)
    {
        Operations = operations.OrderBy(o => o.InvokeMs).ThenBy(o => o.Id).ToList();
        Faults = faults.OrderBy(f => f.TimeMs).ToList();
    }

    /// <summary>Client operations.</summary>
    public IReadOnlyList<Operation> Operations { get; }

    /// <summary>Nemesis events.</summary>
    public IReadOnlyList<FaultEvent> Faults { get; }

    /// <summary>Operations on one queue.</summary>
    public IEnumerable<Operation> OnQueue(string queue) => Operations.Where(o => o.Queue == queue);

    /// <summary>Distinct queue names, sorted.</summary>
    public IReadOnlyList<string> Queues => Operations.Select(o => o.Queue).Where(q => q.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Fault intervals (start..stop) per nemesis, for reports.</summary>
    public IReadOnlyList<(string Nemesis, double StartMs, double EndMs, string? Detail)> FaultBands(double endMs)
    {
        var bands = new List<(string, double, double, string?)>();
        var open = new Dictionary<string, FaultEvent>();
        foreach (var f in Faults)
        {
            if (f.Action == "start")
            {
                open[f.Nemesis] = f;
            }
            else if (f.Action == "stop" && open.Remove(f.Nemesis, out var s))
            {
                bands.Add((f.Nemesis, s.TimeMs, f.TimeMs, s.Detail));
            }
        }

        foreach (var s in open.Values)
        {
            bands.Add((s.Nemesis, s.TimeMs, endMs, s.Detail));
        }

        return bands;
    }
}
