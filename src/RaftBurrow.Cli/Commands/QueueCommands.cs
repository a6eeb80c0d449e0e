using System.CommandLine;
using System.Text.Json;
using RaftBurrow.Cli.Output;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Cli.Commands;

/// <summary><c>queue list/create/stats/purge/delete</c> (Zaqar v2).</summary>
public static class QueueCommands
{
    /// <summary>Builds the <c>queue</c> command.</summary>
    public static Command Build(ActionRunner runner)
    {

        var detailed = new Option<bool>("--detailed") { Description = "Include metadata" };
        var limit = new Option<int?>("--limit") { Description = "Only one page of this size (default: every queue)" };
        var list = new Command("list", "List the project's queues, by name") { detailed, limit };
        runner.Set(list, async ctx =>
        {
            var isDetailed = ctx.Parse.GetValue(detailed);
            List<QueueInfo> queues;
            if (ctx.Parse.GetValue(limit) is { } n)
            {
                queues = [.. (await ctx.Client.Zaqar.ListQueuesAsync(new QueueListOptions { Limit = n, Detailed = isDetailed }, ctx.CancellationToken)).Queues];
            }
            else
            {
                queues = [];
                await foreach (var q in ctx.Client.Zaqar.ListAllQueuesAsync(isDetailed, ctx.CancellationToken))
                {
                    queues.Add(q);
                }
            }

            if (ctx.Json)
            {
                ctx.WriteJson(queues);
            }
            else
            {
                var table = isDetailed ? new TextTable("NAME", "METADATA") : new TextTable("NAME");
                foreach (var q in queues)
                {
                    table.Add(q.Name, q.Metadata?.GetRawText());
                }

                ctx.Output.Write(table.ToString());
            }

            return ExitCodes.Ok;
        });

        var metadata = new Option<string?>("--metadata") { Description = "Metadata JSON object, e.g. '{\"_default_message_ttl\": 600}'" };
        var createName = new Argument<string>("name") { Description = "Queue name" };
        var create = new Command("create", "Create a queue (PUT /v2/queues/{name}); replaces its metadata if it exists") { createName, metadata };
        runner.Set(create, async ctx =>
        {
            var queue = ctx.Parse.GetValue(createName)!;
            JsonElement? meta = ctx.Parse.GetValue(metadata) is { } text ? ParseJson(text, "--metadata") : null;
            var created = await ctx.Client.Zaqar.CreateQueueAsync(queue, meta, ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(new { queue, created });
            }
            else
            {
                ctx.WriteLine(created ? $"created queue {queue}" : $"queue {queue} exists (metadata replaced)");
            }

            return ExitCodes.Ok;
        });

        var statsName = new Argument<string>("name") { Description = "Queue name" };
        var stats = new Command("stats", "Message counts of a queue") { statsName };
        runner.Set(stats, async ctx =>
        {
            var queue = ctx.Parse.GetValue(statsName)!;
            var s = await ctx.Client.Zaqar.GetQueueStatsAsync(queue, ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(s);
            }
            else
            {
                ctx.Output.Write(StatsTable(queue, s));
            }

            return ExitCodes.Ok;
        });

        var purgeName = new Argument<string>("name") { Description = "Queue name" };
        var only = new Option<string[]>("--only") { Description = "Resource types to purge: messages, subscriptions (default both)", Arity = ArgumentArity.OneOrMore };
        only.AcceptOnlyFromAmong("messages", "subscriptions");
        var purge = new Command("purge", "Drop a queue's messages and/or subscriptions, keeping the queue") { purgeName, only };
        runner.Set(purge, async ctx =>
        {
            var queue = ctx.Parse.GetValue(purgeName)!;
            var types = ctx.Parse.GetValue(only) is { Length: > 0 } t ? t : null;
            await ctx.Client.Zaqar.PurgeQueueAsync(queue, types, ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(new { queue, purged = types ?? ["messages", "subscriptions"] });
            }
            else
            {
                ctx.WriteLine($"purged {string.Join(" and ", types ?? ["messages", "subscriptions"])} of queue {queue}");
            }

            return ExitCodes.Ok;
        });

        var deleteName = new Argument<string>("name") { Description = "Queue name" };
        var delete = new Command("delete", "Delete a queue and everything in it") { deleteName };
        runner.Set(delete, async ctx =>
        {
            var queue = ctx.Parse.GetValue(deleteName)!;
            await ctx.Client.Zaqar.DeleteQueueAsync(queue, ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(new { queue, deleted = true });
            }
            else
            {
                ctx.WriteLine($"deleted queue {queue}");
            }

            return ExitCodes.Ok;
        });

        return new Command("queue", "Zaqar queues of the project") { list, create, stats, purge, delete };
    }

    /// <summary>The text form of <c>queue stats</c>.</summary>
    public static string StatsTable(string queue, QueueStats stats)
    {
        var m = stats.Messages;
        var table = new TextTable("QUEUE", "TOTAL>", "FREE>", "CLAIMED>", "OLDEST AGE s>", "NEWEST AGE s>");
        table.Add(queue, Formats.Count(m.Total), Formats.Count(m.Free), Formats.Count(m.Claimed),
            m.Oldest is { } o ? Formats.Int(o.Age) : "-", m.Newest is { } n ? Formats.Int(n.Age) : "-");
        return table.ToString();
    }

    internal static JsonElement ParseJson(string text, string option)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{option} is not valid JSON: {ex.Message}", ex);
        }
    }
}
