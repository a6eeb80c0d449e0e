namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>kill -9 of a random node, a partition leader or a majority; restarted when the fault stops.</summary>
/// <param name="mode">one, leader, majority, or null for a random choice each time.</param>
public sealed class KillNemesis(string? mode) : INemesis
{
    private IReadOnlyList<int> _killed = [];

    /// <inheritdoc/>
    public string Name => "kill";

    /// <inheritdoc/>
    public async Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        var (nodes, detail) = await Targets.PickAsync(mode, ctx.Cluster, ctx.Rng, ct);
        foreach (var n in nodes)
        {
            ctx.Cluster.Kill(n);
        }

        _killed = nodes;
        var e = ctx.Event(Name, "start", nodes, $"kill -9 {detail}");
        return $"kill -9 [{string.Join(",", e.Targets)}] ({detail})";
    }

    /// <inheritdoc/>
    public Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        foreach (var n in _killed)
        {
            ctx.Cluster.Restart(n);
        }

        ctx.Event(Name, "stop", _killed, "restarted");
        _killed = [];
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void HealAll(NemesisContext ctx)
    {
        foreach (var n in ctx.Cluster.NodeIds.Where(n => !ctx.Cluster.IsUp(n)))
        {
            ctx.Cluster.Restart(n);
        }

        _killed = [];
    }
}
