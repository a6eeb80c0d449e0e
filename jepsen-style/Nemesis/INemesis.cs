namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// A fault: started and stopped by the schedule, and healed unconditionally at the end of a run
/// (and on Ctrl-C). Implementations record a start, stop or skip event for everything they do.
/// </summary>
public interface INemesis
{
    /// <summary>Name as given on the command line (kill, pause, partition, clock, leader-move, membership).</summary>
    string Name { get; }

    /// <summary>Injects the fault; returns a one-line description for the progress line.</summary>
    Task<string> StartAsync(NemesisContext ctx, CancellationToken ct);

    /// <summary>Undoes the fault started last.</summary>
    Task StopAsync(NemesisContext ctx, CancellationToken ct);

    /// <summary>Undoes everything this nemesis may have done; must be safe to call at any time, repeatedly.</summary>
    void HealAll(NemesisContext ctx);
}
