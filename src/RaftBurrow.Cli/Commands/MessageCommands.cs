using System.CommandLine;
using RaftBurrow.Cli.Output;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Cli.Commands;

/// <summary><c>message post/claim/delete/list</c> (Zaqar v2).</summary>
public static class MessageCommands
{
    /// <summary>Builds the <c>message</c> command.</summary>
    public static Command Build(ActionRunner runner) => new("message", "Zaqar messages") { Post(runner), Claim(runner), Delete(runner), List(runner) };

    private static Command Post(ActionRunner runner)
    {
        var queue = new Argument<string>("queue") { Description = "Queue name" };
        var body = new Option<string[]>("--body", "-b") { Description = "Message body as JSON (repeat for several messages in one POST)", Required = true, Arity = ArgumentArity.OneOrMore };
        var ttl = new Option<int?>("--ttl") { Description = "Message ttl in seconds (60..1209600)" };
        var delay = new Option<int?>("--delay") { Description = "Delay in seconds (0..900)" };
        var key = new Option<string?>("--idempotency-key") { Description = "Idempotency-Key (default: random; reuse it to make a re-run a no-op)" };
        var post = new Command("post", "Post messages (one POST; retried safely with the same Idempotency-Key)") { queue, body, ttl, delay, key };
        runner.Set(post, async ctx =>
        {
            var q = ctx.Parse.GetValue(queue)!;
            var messages = ctx.Parse.GetValue(body)!.Select(b => new NewMessage
            {
                Body = QueueCommands.ParseJson(b, "--body"),
                TtlSeconds = ctx.Parse.GetValue(ttl),
                DelaySeconds = ctx.Parse.GetValue(delay),
            }).ToList();
            var result = await ctx.Client.Zaqar.PostMessagesAsync(q, messages, ctx.Parse.GetValue(key), ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(new { queue = q, ids = result.MessageIds, resources = result.Resources, idempotency_key = result.IdempotencyKey });
            }
            else
            {
                foreach (var id in result.MessageIds)
                {
                    ctx.WriteLine(id);
                }
            }

            return ExitCodes.Ok;
        });
        return post;
    }

    private static Command Claim(ActionRunner runner)
    {
        var queue = new Argument<string>("queue") { Description = "Queue name" };
        var limit = new Option<int>("--limit") { Description = "At most this many messages (1..20)", DefaultValueFactory = _ => 10 };
        var ttl = new Option<int>("--ttl") { Description = "Claim ttl in seconds (60..43200)", DefaultValueFactory = _ => 60 };
        var grace = new Option<int>("--grace") { Description = "Grace in seconds (60..43200)", DefaultValueFactory = _ => 60 };
        var delete = new Option<bool>("--delete") { Description = "Delete the claimed messages after printing them (consume)" };
        var wait = new Option<int?>("--wait") { Description = "Wait up to this many seconds for a message when none is claimable (RaftBurrow extension)" };
        var claim = new Command("claim", "Claim messages, oldest first (prints the claim id and the messages)") { queue, limit, ttl, grace, delete, wait };
        runner.Set(claim, async ctx =>
        {
            var q = ctx.Parse.GetValue(queue)!;
            var c = await ctx.Client.Zaqar.ClaimMessagesAsync(q, ctx.Parse.GetValue(ttl), ctx.Parse.GetValue(grace), ctx.Parse.GetValue(limit),
                ctx.Parse.GetValue(wait), ctx.CancellationToken);
            var messages = c?.Messages ?? [];
            if (ctx.Json)
            {
                ctx.WriteJson(new { queue = q, claim_id = c?.Id, messages = messages.Select(m => new { id = m.MessageId, m.Age, m.Ttl, body = m.Body }) });
            }
            else if (c is null)
            {
                ctx.Error.WriteLine("no messages to claim");
            }
            else
            {
                ctx.WriteLine("claim " + c.Id);
                ctx.Output.Write(MessageTable(messages));
            }

            if (c is not null && ctx.Parse.GetValue(delete))
            {
                foreach (var m in messages)
                {
                    await ctx.Client.Zaqar.DeleteMessageAsync(q, m.MessageId, c.Id, ctx.CancellationToken);
                }
            }

            return ExitCodes.Ok;
        });
        return claim;
    }

    private static Command Delete(ActionRunner runner)
    {
        var queue = new Argument<string>("queue") { Description = "Queue name" };
        var ids = new Argument<string[]>("id") { Description = "Message id(s)", Arity = ArgumentArity.OneOrMore };
        var claimId = new Option<string?>("--claim-id") { Description = "Claim id (needed for a claimed message)" };
        var delete = new Command("delete", "Delete messages by id") { queue, ids, claimId };
        runner.Set(delete, async ctx =>
        {
            var q = ctx.Parse.GetValue(queue)!;
            var list = ctx.Parse.GetValue(ids)!;
            foreach (var id in list)
            {
                await ctx.Client.Zaqar.DeleteMessageAsync(q, id, ctx.Parse.GetValue(claimId), ctx.CancellationToken);
            }

            if (ctx.Json)
            {
                ctx.WriteJson(new { queue = q, deleted = list });
            }
            else
            {
                ctx.WriteLine($"deleted {list.Length} message(s)");
            }

            return ExitCodes.Ok;
        });
        return delete;
    }

    private static Command List(ActionRunner runner)
    {
        var queue = new Argument<string>("queue") { Description = "Queue name" };
        var limit = new Option<int?>("--limit") { Description = "Page size (1..20)" };
        var claimed = new Option<bool>("--include-claimed") { Description = "Include claimed messages" };
        var list = new Command("list", "List one page of messages, oldest first") { queue, limit, claimed };
        runner.Set(list, async ctx =>
        {
            var q = ctx.Parse.GetValue(queue)!;
            var page = await ctx.Client.Zaqar.ListMessagesAsync(q, new MessageListOptions { Limit = ctx.Parse.GetValue(limit), IncludeClaimed = ctx.Parse.GetValue(claimed) },
                ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(page.Messages.Select(m => new { id = m.MessageId, m.Age, m.Ttl, body = m.Body }));
            }
            else
            {
                ctx.Output.Write(MessageTable(page.Messages));
            }

            return ExitCodes.Ok;
        });
        return list;
    }

    /// <summary>Messages as a table: id, age, ttl, body.</summary>
    public static string MessageTable(IEnumerable<Message> messages)
    {
        var table = new TextTable("ID", "AGE s>", "TTL s>", "BODY");
        foreach (var m in messages)
        {
            table.Add(m.MessageId, Formats.Int(m.Age), Formats.Int(m.Ttl), m.Body.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "" : m.Body.GetRawText());
        }

        return table.ToString();
    }
}
