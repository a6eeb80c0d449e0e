namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// The shape kill and pause share: pick targets (one random node, a partition's leader or a
/// majority), apply a per-node fault, undo it on the same nodes when the fault stops.
/// </summary>
/// <param name="mode">one, leader, majority, or null for a random choice each time.</param>
public abstract class ProcessFaultNemesis(string? mode) : INemesis
{
    private IReadOnlyList<int> _targets = [];

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>What the start event says was done (e.g. "kill -9").</summary>
    protected abstract string StartVerb { get; }

    /// <summary>What the stop event says was done (e.g. "restarted").</summary>
    protected abstract string StopVerb { get; }

    /// <summary>Applies the fault to one node.</summary>
    protected abstract void Apply(NemesisContext ctx, int node);

    /// <summary>Undoes the fault on one node.</summary>
    protected abstract void Undo(NemesisContext ctx, int node);

    /// <inheritdoc/>
    public abstract void HealAll(NemesisContext ctx);

    /// <inheritdoc/>
    public async Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        var (nodes, detail) = await Targets.PickAsync(mode, ctx.Cluster, ctx.Rng, ct);
        foreach (var n in nodes)
        {
            Apply(ctx, n);
        }

        _targets = nodes;
        ctx.Event(Name, "start", nodes, $"{StartVerb} {detail}");
        return $"{StartVerb} [{string.Join(",", nodes)}] ({detail})";
    }

    /// <inheritdoc/>
    public Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        foreach (var n in _targets)
        {
            Undo(ctx, n);
        }

        ctx.Event(Name, "stop", _targets, StopVerb);
        _targets = [];
        return Task.CompletedTask;
    }

    /// <summary>Forgets the current targets (after a heal-all undid them).</summary>
    protected void Forget() => _targets = [];
}
