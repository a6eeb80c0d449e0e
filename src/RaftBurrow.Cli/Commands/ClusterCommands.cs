using System.CommandLine;
using System.Text.Json;
using RaftBurrow.Cli.Output;
using RaftBurrow.Client.Admin;

namespace RaftBurrow.Cli.Commands;

/// <summary><c>cluster status</c>, <c>partitions rebalance</c>, <c>leader transfer</c>, <c>node add/remove</c>, <c>snapshot</c>.</summary>
public static class ClusterCommands
{
    /// <summary><c>cluster status</c>.</summary>
    public static Command Cluster(ActionRunner runner)
    {
        var status = new Command("status", "Ask every node (the given ones and every member they list) for GET /admin/cluster and show nodes, partitions, leaders, terms, commit/applied index, lag and state hash");
        runner.Set(status, async ctx =>
        {
            var views = await ctx.Client.Admin.GetClusterFromEveryNodeAsync(ctx.CancellationToken);
            var report = ClusterReport.From(views);
            if (ctx.Json)
            {
                ctx.WriteJson(report);
            }
            else
            {
                ctx.Output.Write(report.ToText());
            }

            // Scripts can tell "all answered, every partition led, replicas agree" from the exit code.
            return views.All(v => v.Status is not null) && report.Leaderless.Count == 0 && report.HashMismatches.Count == 0
                ? ExitCodes.Ok
                : ExitCodes.RequestFailed;
        });
        return new Command("cluster", "Cluster-wide views") { status };
    }

    /// <summary><c>partitions rebalance</c>.</summary>
    public static Command Partitions(ActionRunner runner)
    {
        var rebalance = new Command("rebalance", "POST /admin/partitions/rebalance: spread partition leaders evenly over the nodes");
        runner.Set(rebalance, async ctx => Done(ctx, "rebalance requested", await ctx.Client.Admin.RebalanceAsync(ctx.CancellationToken)),
            "leader rebalancing");
        return new Command("partitions", "Partition placement") { rebalance };
    }

    /// <summary><c>leader transfer --partition P --to NODE</c>.</summary>
    public static Command Leader(ActionRunner runner)
    {
        var partition = new Option<int>("--partition") { Description = "Partition number", Required = true };
        var to = new Option<int>("--to") { Description = "Target node id", Required = true };
        partition.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--partition must be >= 0");
            }
        });
        to.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--to must be a node id (>= 1)");
            }
        });
        var transfer = new Command("transfer", "POST /admin/partitions/{p}/transfer?to=NODE: move a partition's leadership") { partition, to };
        runner.Set(transfer, async ctx =>
        {
            var p = ctx.Parse.GetValue(partition);
            var n = ctx.Parse.GetValue(to);
            return Done(ctx, $"leadership of partition {p} transferred to node {n}", await ctx.Client.Admin.TransferLeaderAsync(p, n, ctx.CancellationToken));
        }, "leadership transfer");
        return new Command("leader", "Partition leadership") { transfer };
    }

    /// <summary><c>node add</c> / <c>node remove</c>.</summary>
    public static Command Node(ActionRunner runner)
    {
        var id = new Option<int>("--id") { Description = "Node id (>= 1)", Required = true };
        var httpUrl = new Option<string>("--http-url") { Description = "The node's REST URL", Required = true };
        var raftAddress = new Option<string?>("--raft-address") { Description = "IP address or DNS host name its Raft groups bind to (peers reach it by that name)" };
        var raftBasePort = new Option<int?>("--raft-base-port") { Description = "Partition p listens on this + p" };
        var zone = new Option<string?>("--zone") { Description = "Failure zone" };
        var add = new Command("add", "POST /admin/nodes: add a member (the server changes membership one partition at a time)")
        {
            id, httpUrl, raftAddress, raftBasePort, zone,
        };
        runner.Set(add, async ctx =>
        {
            var request = new AddNodeRequest
            {
                Id = ctx.Parse.GetValue(id),
                HttpUrl = ctx.Parse.GetValue(httpUrl)!,
                RaftAddress = ctx.Parse.GetValue(raftAddress),
                RaftBasePort = ctx.Parse.GetValue(raftBasePort),
                Zone = ctx.Parse.GetValue(zone),
            };
            return Done(ctx, $"node {request.Id} added", await ctx.Client.Admin.AddNodeAsync(request, ctx.CancellationToken));
        }, "membership change (add node)");

        var removeId = new Option<int>("--id") { Description = "Node id to remove", Required = true };
        var remove = new Command("remove", "DELETE /admin/nodes/{id}: remove a member") { removeId };
        runner.Set(remove, async ctx =>
        {
            var n = ctx.Parse.GetValue(removeId);
            return Done(ctx, $"node {n} removed", await ctx.Client.Admin.RemoveNodeAsync(n, ctx.CancellationToken));
        }, "membership change (remove node)");
        return new Command("node", "Cluster membership") { add, remove };
    }

    /// <summary><c>snapshot [--partition P]</c>.</summary>
    public static Command Snapshot(ActionRunner runner)
    {
        var partition = new Option<int?>("--partition") { Description = "Only this partition (default: all)" };
        var snapshot = new Command("snapshot", "POST /admin/snapshot: force a snapshot now") { partition };
        runner.Set(snapshot, async ctx => Done(ctx, "snapshot taken", await ctx.Client.Admin.SnapshotAsync(ctx.Parse.GetValue(partition), ctx.CancellationToken)),
            "forced snapshot");
        return snapshot;
    }

    private static int Done(CliContext ctx, string text, JsonElement? answer)
    {
        if (ctx.Json)
        {
            ctx.Output.WriteLine(answer is { } a ? JsonSerializer.Serialize(a, CliContext.JsonOptions) : "{\"ok\": true}");
        }
        else
        {
            ctx.WriteLine(answer is { } a ? text + ": " + a.GetRawText() : text);
        }

        return ExitCodes.Ok;
    }
}
