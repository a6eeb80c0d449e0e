namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>Network partitions on loopback with iptables: random halves, isolated leader, bridge, one-way.</summary>
/// <param name="firewall">The run's firewall (its own chain).</param>
/// <param name="mode">One of <see cref="Grudge.Modes"/>, or null for a random choice each time.</param>
public sealed class PartitionNemesis(Firewall firewall, string? mode) : INemesis
{
    /// <inheritdoc/>
    public string Name => "partition";

    /// <inheritdoc/>
    public async Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        var nodes = ctx.Cluster.NodeIds;
        var m = mode ?? Grudge.Modes[ctx.Rng.Next(Grudge.Modes.Count)];
        Grudge grudge;
        switch (m)
        {
            case "isolate-leader":
                var p = ctx.Rng.Next(ctx.Cluster.Partitions);
                var leader = await ctx.Cluster.LeaderOfAsync(p, ct) ?? nodes[ctx.Rng.Next(nodes.Count)];
                grudge = Grudge.Isolate(nodes, leader);
                grudge = grudge with { Description = grudge.Description + $" (leader of p{p})" };
                break;
            case "bridge":
                grudge = Grudge.Bridge(nodes, ctx.Rng);
                break;
            case "one-way":
                grudge = Grudge.OneWay(nodes, ctx.Rng);
                break;
            default:
                grudge = Grudge.Halves(nodes, ctx.Rng);
                break;
        }

        firewall.Apply(grudge, ctx.Cluster);
        ctx.Event(Name, "start", grudge.Affected, grudge.Description);
        return "partition " + grudge.Description;
    }

    /// <inheritdoc/>
    public Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        firewall.Heal();
        ctx.Event(Name, "stop", [], "healed");
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void HealAll(NemesisContext ctx) => firewall.Heal();
}
