namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// Clock skew: restarts one node, or a majority, with RaftBurrow:FaultInjection:ClockOffsetMs set to a
/// random nonzero offset within ±maxSkewMs; stopping restarts them with offset 0. (The restart is
/// itself a crash; that is the price of a per-process clock without libfaketime.)
/// </summary>
/// <param name="maxSkewMs">Largest absolute offset.</param>
public sealed class ClockNemesis(long maxSkewMs) : INemesis
{
    private IReadOnlyList<int> _skewed = [];

    /// <inheritdoc/>
    public string Name => "clock";

    /// <summary>A random nonzero offset in [-max, -max/10] ∪ [max/10, max].</summary>
    public static long Offset(long maxSkewMs, Random rng)
    {
        var magnitude = (long)(maxSkewMs * (0.1 + (0.9 * rng.NextDouble())));
        return rng.Next(2) == 0 ? -Math.Max(1, magnitude) : Math.Max(1, magnitude);
    }

    /// <inheritdoc/>
    public Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        var nodes = ctx.Rng.Next(2) == 0 ? Targets.One(ctx.Cluster.NodeIds, ctx.Rng) : Targets.Majority(ctx.Cluster.NodeIds, ctx.Rng);
        var parts = new List<string>();
        foreach (var n in nodes)
        {
            var offset = Offset(maxSkewMs, ctx.Rng);
            ctx.Cluster.Restart(n, offset);
            parts.Add($"n{n}{offset:+#;-#;0}ms");
        }

        _skewed = nodes;
        var detail = string.Join(" ", parts);
        ctx.Event(Name, "start", nodes, detail);
        return Task.FromResult("clock " + detail);
    }

    /// <inheritdoc/>
    public Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        foreach (var n in _skewed)
        {
            ctx.Cluster.Restart(n, 0);
        }

        ctx.Event(Name, "stop", _skewed, "offsets reset to 0");
        _skewed = [];
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void HealAll(NemesisContext ctx)
    {
        foreach (var n in ctx.Cluster.NodeIds.Where(n => ctx.Cluster.ClockOffsetMs(n) != 0))
        {
            ctx.Cluster.Restart(n, 0);
        }

        _skewed = [];
    }
}
