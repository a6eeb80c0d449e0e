using System.Text;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.Tests.Support;

/// <summary>
/// Turns random step numbers into commands that mostly hit existing things (ids the model has
/// handed out), so sequences exercise claims, deletes with the right and wrong claim ids, expiry and
/// Burrow selection rather than only not-found paths.
/// </summary>
internal static class CommandScript
{
    /// <summary>A step: either time passes (returns null and moves <paramref name="nowMs"/>) or a command.</summary>
    public static Command? Next(uint step, NaiveModel model, ref long nowMs)
    {
        var op = step % 16;
        var r = step >> 4;
        string Pick(string[] names) => names[(int)(r % (uint)names.Length)];
        var zq = Pick(NaiveModel.ZaqarQueues);
        var bq = NaiveModel.BurrowQueues[(r >> 1) % 2];
        var arg = (int)(r >> 2);
        switch (op)
        {
            case 0:
            case 1:
                nowMs += arg % 95_000;
                return null;
            case 2:
            case 3:
                return new PostMessages
                {
                    Project = "p", Queue = zq,
                    Messages = Enumerable.Range(0, 1 + arg % 3).Select(i => new NewMessage
                    {
                        TtlSeconds = ((arg >> 2) % 3) switch { 0 => null, 1 => 60, _ => 120 },
                        DelaySeconds = ((arg >> 4) % 3) switch { 0 => null, 1 => 0, _ => 30 },
                        BodyJson = Encoding.UTF8.GetBytes($"\"{step}-{i}\""),
                    }).ToArray(),
                };
            case 4:
            case 5:
                return new CreateClaim { Project = "p", Queue = zq, Limit = 1 + arg % 4, TtlSeconds = (arg >> 2) % 2 == 0 ? 60 : 100, GraceSeconds = 60 };
            case 6:
            case 7:
            {
                if (model.MessageIds.Count == 0)
                    return new Expire();
                var id = model.MessageIds[(arg >> 2) % model.MessageIds.Count];
                string? claim = (arg % 3) switch
                {
                    0 => null,
                    _ when model.ClaimIds.Count == 0 => "000000030000000000000fff",
                    1 => model.ClaimIds[^1],
                    _ => model.ClaimIds[(arg >> 5) % model.ClaimIds.Count],
                };
                return new DeleteMessage { Project = "p", Queue = zq, MessageId = id, ClaimId = claim };
            }
            case 8:
                return model.ClaimIds.Count == 0
                    ? new Expire()
                    : (arg % 2 == 0
                        ? new ReleaseClaim { Project = "p", Queue = zq, ClaimId = model.ClaimIds[(arg >> 1) % model.ClaimIds.Count] }
                        : new UpdateClaim { Project = "p", Queue = zq, ClaimId = model.ClaimIds[(arg >> 1) % model.ClaimIds.Count], TtlSeconds = 60 + (arg >> 3) % 100, GraceSeconds = (arg >> 2) % 2 == 0 ? null : 70 });
            case 9:
                return arg % 7 == 0 ? new DeleteQueue { Project = "p", Queue = zq } : new PopMessages { Project = "p", Queue = zq, Limit = 1 + arg % 3 };
            case 10:
                return new Expire();
            case 11:
            case 12:
                return new BurrowPutMessage
                {
                    Project = "acct", Queue = bq, MessageId = NaiveModel.BurrowIds[(arg >> 1) % 4],
                    Body = Encoding.UTF8.GetBytes("b" + step), TtlSeconds = (arg >> 3) % 3 switch { 0 => 0, 1 => 1, _ => 90 }, HideSeconds = (arg >> 5) % 2 == 0 ? 0 : 2,
                };
            case 13:
                return new BurrowUpdateMessages
                {
                    Project = "acct", Queue = bq, Selector = Selector(arg),
                    HideSeconds = (arg >> 6) % 3 switch { 0 => null, 1 => 0, _ => 30 }, TtlSeconds = (arg >> 8) % 3 switch { 0 => null, 1 => 0, _ => 3 },
                };
            case 14:
                return new BurrowDeleteMessages { Project = "acct", Queue = bq, Selector = Selector(arg) };
            default:
                return new BurrowDeleteMessage { Project = "acct", Queue = bq, MessageId = NaiveModel.BurrowIds[(arg >> 1) % 4] };
        }
    }

    /// <summary>Commands outside the naive model (metadata, dead letters, subscriptions, keys, purges), for the replica-determinism test.</summary>
    public static Command Extra(uint step, NaiveModel model)
    {
        var r = step >> 4;
        var zq = NaiveModel.ZaqarQueues[r % 2];
        var arg = (int)(r >> 1);
        var id = model.MessageIds.Count == 0 ? "x" : model.MessageIds[arg % model.MessageIds.Count];
        return (step % 11) switch
        {
            0 => new CreateQueue { Project = "p", Queue = zq, MetadataJson = Encoding.UTF8.GetBytes($$"""{"_max_claim_count":{{1 + arg % 2}},"_dead_letter_queue":"dlq","_dead_letter_queue_messages_ttl":100}""") },
            1 => new PatchQueueMetadata { Project = "p", Queue = zq, Ops = [new MetadataPatchOp { Op = arg % 2 == 0 ? "add" : "remove", Path = "/metadata/_default_message_delay", ValueJson = "5"u8.ToArray() }] },
            2 => new CompleteDeadLetters { MessageIds = [id] },
            3 => new CreateSubscription { Project = "p", Queue = zq, Subscriber = "http://s" + arg % 3, TtlSeconds = 30 + arg % 100, OptionsJson = "{}"u8.ToArray() },
            4 => new UpdateSubscription { Project = "p", Queue = zq, SubscriptionId = NaiveModel.Id(1 + arg % 40), TtlSeconds = 60, Subscriber = arg % 2 == 0 ? "http://s0" : null },
            5 => new ConfirmSubscription { Project = "p", Queue = zq, SubscriptionId = NaiveModel.Id(1 + arg % 40), Confirmed = true },
            6 => new PostMessages { Project = "p", Queue = zq, IdempotencyKey = "k" + arg % 3, Messages = [new NewMessage { BodyJson = "1"u8.ToArray() }] },
            7 => new PurgeQueue { Project = "p", Queue = zq, Messages = arg % 2 == 0, Subscriptions = arg % 3 == 0 },
            8 => new BurrowDeleteQueue { Project = "acct", Queue = NaiveModel.BurrowQueues[arg % 2] },
            9 => new BurrowDeleteAccount { Project = "acct" },
            _ => new DeleteMessages { Project = "p", Queue = zq, MessageIds = [id, "junk"] },
        };
    }

    private static BurrowSelector Selector(int arg) => new()
    {
        Limit = (arg >> 1) % 4,
        MatchHidden = (arg >> 3) % 2 == 0,
        Marker = (arg >> 4) % 3 == 0 ? NaiveModel.BurrowIds[(arg >> 6) % 4] : null,
    };
}
