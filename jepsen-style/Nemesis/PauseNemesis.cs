namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>SIGSTOP of a random node, a partition leader or a majority; SIGCONT when the fault stops.</summary>
/// <param name="mode">one, leader, majority, or null for a random choice each time.</param>
public sealed class PauseNemesis(string? mode) : INemesis
{
    private IReadOnlyList<int> _paused = [];

    /// <inheritdoc/>
    public string Name => "pause";

    /// <inheritdoc/>
    public async Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        var (nodes, detail) = await Targets.PickAsync(mode, ctx.Cluster, ctx.Rng, ct);
        foreach (var n in nodes)
        {
            ctx.Cluster.Pause(n);
        }

        _paused = nodes;
        ctx.Event(Name, "start", nodes, $"SIGSTOP {detail}");
        return $"pause [{string.Join(",", nodes)}] ({detail})";
    }

    /// <inheritdoc/>
    public Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        foreach (var n in _paused)
        {
            ctx.Cluster.Resume(n);
        }

        ctx.Event(Name, "stop", _paused, "SIGCONT");
        _paused = [];
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void HealAll(NemesisContext ctx)
    {
        foreach (var n in ctx.Cluster.Paused.ToList())
        {
            ctx.Cluster.Resume(n);
        }

        _paused = [];
    }
}
