using System.Globalization;
using System.Text.Json;

namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// Node removal and addition under load: removes a random node from the configuration
/// (<c>DELETE /admin/nodes/{id}</c>, sent to another member), stops it and empties its data
/// directory (docs/operations.md: a removed node is not restarted with its old data); when the
/// fault stops, starts it again as a joining node and adds it back (<c>POST /admin/nodes</c>).
/// Both requests are idempotent and resumable on the server, so they are repeated until they
/// succeed or the deadline passes. Healing always adds the node back, so every original node is a
/// member at the end and the convergence checker sees every replica.
/// </summary>
/// <param name="requestTimeout">Deadline of one membership request (the server changes one partition at a time).</param>
/// <param name="deadline">How long a removal or an addition is retried.</param>
public sealed class MembershipNemesis(TimeSpan requestTimeout, TimeSpan deadline) : INemesis
{
    private int? _removed;

    /// <inheritdoc/>
    public string Name => "membership";

    /// <summary>The node currently out of the configuration, if any.</summary>
    public int? Removed => _removed;

    /// <inheritdoc/>
    public async Task<string> StartAsync(NemesisContext ctx, CancellationToken ct)
    {
        var nodes = ctx.Cluster.NodeIds;
        if (nodes.Count < 2)
        {
            ctx.Event(Name, "skip", [], "a single node cannot be removed");
            return "membership (skipped: one node)";
        }

        if (_removed is { } pending)
        {
            // The last add-back did not complete: finish it before removing anyone else.
            await AddBackAsync(ctx, pending, wiped: false, ct);
            if (_removed is not null)
            {
                return $"membership (n{pending} still not added back)";
            }
        }

        var victim = nodes[ctx.Rng.Next(nodes.Count)];
        var (ok, answer) = await RepeatAsync(ctx, victim, HttpMethod.Delete, "/admin/nodes/" + victim.ToString(CultureInfo.InvariantCulture), null, ct);
        if (!ok)
        {
            if (answer.Refused)
            {
                // A 4xx (409: the others would not be a majority) changed nothing.
                ctx.Event(Name, "skip", [victim], $"remove n{victim} refused: {answer.Text}");
                return $"membership (remove n{victim} refused)";
            }

            // No success within the deadline: the removal may be half done. The node keeps its data
            // and keeps running; adding it back is idempotent and completes whatever was removed.
            ctx.Event(Name, "error", [victim], $"remove n{victim} not confirmed: {answer.Text}");
            await AddBackAsync(ctx, victim, wiped: false, ct);
            return $"membership (remove n{victim} not confirmed)";
        }

        ctx.Cluster.KillAndWipe(victim);
        _removed = victim;
        ctx.Event(Name, "start", [victim], $"removed n{victim} from the configuration, stopped, data dir emptied: {answer.Text}");
        return $"membership: n{victim} removed";
    }

    /// <inheritdoc/>
    public async Task StopAsync(NemesisContext ctx, CancellationToken ct)
    {
        if (_removed is { } n)
        {
            await AddBackAsync(ctx, n, wiped: true, ct);
        }
    }

    /// <inheritdoc/>
    public void HealAll(NemesisContext ctx)
    {
        if (_removed is { } n)
        {
            // Heal runs on the way out (also after Ctrl-C): block, with its own deadline.
            AddBackAsync(ctx, n, wiped: true, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private async Task AddBackAsync(NemesisContext ctx, int node, bool wiped, CancellationToken ct)
    {
        if (wiped)
        {
            ctx.Cluster.Restart(node);
        }

        // The add is refused (409) until the new node answers /healthz: wait for it first.
        var until = DateTime.UtcNow + deadline;
        while (DateTime.UtcNow < until && (await ctx.Cluster.AdminSendAsync(node, HttpMethod.Get, "/healthz", null, requestTimeout, ct)).Status is null)
        {
            await Task.Delay(250, ct);
        }

        var spec = ctx.Cluster.Specs[node - 1];
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = node,
            ["httpUrl"] = spec.HttpUrl,
            ["raftAddress"] = spec.Address,
            ["raftBasePort"] = spec.RaftBasePort,
            ["zone"] = "z" + node.ToString(CultureInfo.InvariantCulture),
        });
        var (ok, answer) = await RepeatAsync(ctx, node, HttpMethod.Post, "/admin/nodes", body, ct);
        _removed = ok ? null : _removed;
        ctx.Event(Name, ok ? "stop" : "error", [node], ok ? $"added n{node} back{(wiped ? " (fresh data dir)" : "")}: {answer.Text}" : $"adding n{node} back failed: {answer.Text}");
    }

    /// <summary>Sends the request to a random other running node until it answers 2xx, a 4xx refuses it, or the deadline passes.</summary>
    /// <remarks>An add is also retried on 409: it is refused while the node does not answer yet.</remarks>
    private async Task<(bool Ok, (bool Refused, string Text) Answer)> RepeatAsync(NemesisContext ctx, int subject, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        var until = DateTime.UtcNow + deadline;
        var last = "no attempt";
        while (DateTime.UtcNow < until)
        {
            var others = ctx.Cluster.NodeIds.Where(n => n != subject && ctx.Cluster.IsUp(n) && !ctx.Cluster.Paused.Contains(n)).ToList();
            if (others.Count == 0)
            {
                return (false, (false, "no other node is up"));
            }

            var via = others[ctx.Rng.Next(others.Count)];
            var (status, text) = await ctx.Cluster.AdminSendAsync(via, method, path, json, requestTimeout, ct);
            last = $"n{via} answered {status?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} {Short(text)}";
            if (status is >= 200 and < 300)
            {
                return (true, (false, last));
            }

            if (status is >= 400 and < 500 and not 408 and not 429 && !(status == 409 && method == HttpMethod.Post))
            {
                return (false, (true, last));
            }

            await Task.Delay(1000, ct);
        }

        return (false, (false, last));
    }

    private static string Short(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
