using RaftBurrow.Jepsen.Cluster;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Runner;

namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>What a nemesis acts on and where it records what it did.</summary>
/// <param name="Cluster">The cluster under test.</param>
/// <param name="Rng">Seeded randomness (the nemesis thread's own).</param>
/// <param name="Clock">Run clock for event times.</param>
/// <param name="Record">Appends a fault event to the history.</param>
public sealed record NemesisContext(IClusterControl Cluster, Random Rng, RunClock Clock, Action<FaultEvent> Record)
{
    /// <summary>Records and returns an event.</summary>
    public FaultEvent Event(string nemesis, string action, IReadOnlyList<int> targets, string? detail)
    {
        var e = new FaultEvent { Nemesis = nemesis, Action = action, TimeMs = Clock.NowMs, Targets = targets, Detail = detail };
        Record(e);
        return e;
    }
}
