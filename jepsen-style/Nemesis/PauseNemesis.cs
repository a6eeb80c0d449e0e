namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>SIGSTOP of a random node, a partition leader or a majority; SIGCONT when the fault stops.</summary>
/// <param name="mode">one, leader, majority, or null for a random choice each time.</param>
public sealed class PauseNemesis(string? mode) : ProcessFaultNemesis(mode)
{
    /// <inheritdoc/>
    public override string Name => "pause";

    /// <inheritdoc/>
    protected override string StartVerb => "SIGSTOP";

    /// <inheritdoc/>
    protected override string StopVerb => "SIGCONT";

    /// <inheritdoc/>
    protected override void Apply(NemesisContext ctx, int node) => ctx.Cluster.Pause(node);

    /// <inheritdoc/>
    protected override void Undo(NemesisContext ctx, int node) => ctx.Cluster.Resume(node);

    /// <inheritdoc/>
    public override void HealAll(NemesisContext ctx)
    {
        foreach (var n in ctx.Cluster.Paused.ToList())
        {
            ctx.Cluster.Resume(n);
        }

        Forget();
    }
}
