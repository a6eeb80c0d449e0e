using System.Globalization;

namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// Moves a partition's leadership to another node through the admin API (path template with
/// {partition} and {node}). When the server answers 404/405/501 the endpoint does not exist yet:
/// the nemesis records a skip and stays idle for the rest of the run.
/// </summary>
/// <param name="post">POSTs to a node's admin path; returns the status or null.</param>
/// <param name="pathTemplate">e.g. /admin/partitions/{partition}/transfer?to={node}.</param>
public sealed class LeaderMoveNemesis(Func<int, string, CancellationToken, Task<int?>> post, string pathTemplate) : INemesis
{
    private bool _unsupported;

    /// <inheritdoc/>
    public string Name => "leader-move";

    /// <summary>The admin path for moving <paramref name="partition"/> to <paramref name="node"/>.</summary>
    public static string PathFor(string template, int partition, int node) =>
        template.Replace("{partition}", partition.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{node}", node.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <inheritdoc/>
    public async Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        if (_unsupported)
        {
            ctx.Event(Name, "skip", [], "no leadership-transfer endpoint");
            return "leader-move (unsupported, skipped)";
        }

        var p = ctx.Rng.Next(ctx.Cluster.Partitions);
        var leader = await ctx.Cluster.LeaderOfAsync(p, ct);
        if (leader is null)
        {
            ctx.Event(Name, "skip", [], $"no leader known for p{p}");
            return "leader-move (no leader)";
        }

        var others = ctx.Cluster.NodeIds.Where(n => n != leader).ToList();
        var to = others[ctx.Rng.Next(others.Count)];
        var status = await post(leader.Value, PathFor(pathTemplate, p, to), ct);
        if (status is 404 or 405 or 501)
        {
            _unsupported = true;
            ctx.Event(Name, "skip", [], $"{PathFor(pathTemplate, p, to)} answered {status}: no leadership-transfer endpoint");
            return "leader-move (unsupported, skipped)";
        }

        ctx.Event(Name, "start", [leader.Value, to], $"p{p} {leader} -> {to}: {status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"}");
        return $"leader-move p{p} {leader}->{to} ({status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"})";
    }

    /// <inheritdoc/>
    public Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        if (!_unsupported)
        {
            ctx.Event(Name, "stop", [], null);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void HealAll(NemesisContext ctx)
    {
        // Nothing to undo: a moved leadership is a normal state.
    }
}
