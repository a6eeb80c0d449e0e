namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>kill -9 of a random node, a partition leader or a majority; restarted when the fault stops.</summary>
/// <param name="mode">one, leader, majority, or null for a random choice each time.</param>
public sealed class KillNemesis(string? mode) : ProcessFaultNemesis(mode)
{
    /// <inheritdoc/>
    public override string Name => "kill";

    /// <inheritdoc/>
    protected override string StartVerb => "kill -9";

    /// <inheritdoc/>
    protected override string StopVerb => "restarted";

    /// <inheritdoc/>
    protected override void Apply(NemesisContext ctx, int node) => ctx.Cluster.Kill(node);

    /// <inheritdoc/>
    protected override void Undo(NemesisContext ctx, int node) => ctx.Cluster.Restart(node);

    /// <inheritdoc/>
    public override void HealAll(NemesisContext ctx)
    {
        foreach (var n in ctx.Cluster.NodeIds.Where(n => !ctx.Cluster.IsUp(n)))
        {
            ctx.Cluster.Restart(n);
        }

        Forget();
    }
}
