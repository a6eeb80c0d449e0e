using System.Text;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;

namespace RaftBurrow.StateMachine.Tests;

public class ZaqarQueueTests
{
    private static string Json(CommandResult r) => Encoding.UTF8.GetString(Assert.IsType<MetadataResult>(r).MetadataJson);

    [Fact]
    public void Create_then_put_again_replaces_metadata()
    {
        var h = new Harness();
        var created = h.Run(new CreateQueue { Project = "p", Queue = "q" });
        Assert.Equal(ResultCode.Created, created.Code);
        Assert.Equal("{}", Json(created));
        var again = h.Run(new CreateQueue { Project = "p", Queue = "q", MetadataJson = """{"a":1}"""u8.ToArray() });
        Assert.Equal(ResultCode.Ok, again.Code);
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(h.Machine.GetQueue("p", "q")!.MetadataJson));
        Assert.Equal(Harness.StartMs, h.Machine.GetQueue("p", "q")!.CreatedMs);
        Assert.Equal(ResultCode.QueueNotFound, h.Run(new ReplaceQueueMetadata { Project = "p", Queue = "x", MetadataJson = "{}"u8.ToArray() }).Code);
        Assert.Equal("""{"b":2}""", Json(h.Run(new ReplaceQueueMetadata { Project = "p", Queue = "q", MetadataJson = """{"b":2}"""u8.ToArray() })));
    }

    [Fact]
    public void Patch_add_replace_remove_is_atomic()
    {
        var h = new Harness();
        h.Run(new CreateQueue { Project = "p", Queue = "q", MetadataJson = """{"a":1,"b":2}"""u8.ToArray() });
        MetadataPatchOp Op(string op, string path, string value = "") => new() { Op = op, Path = path, ValueJson = Encoding.UTF8.GetBytes(value) };
        var ok = h.Run(new PatchQueueMetadata { Project = "p", Queue = "q", Ops = [Op("add", "/metadata/c", "[1]"), Op("replace", "/metadata/a", "\"x\""), Op("remove", "/metadata/b"), Op("add", "/metadata/d~1e", "true")] });
        Assert.Equal("""{"a":"x","c":[1],"d/e":true}""", Json(ok));
        foreach (var bad in new[] { Op("replace", "/metadata/zz", "1"), Op("remove", "/metadata/zz"), Op("move", "/metadata/a"), Op("add", "/meta/a", "1"), Op("add", "/metadata/a", "{bad"), Op("add", "/metadata/", "1") })
        {
            var r = h.Run(new PatchQueueMetadata { Project = "p", Queue = "q", Ops = [Op("add", "/metadata/new", "1"), bad] });
            Assert.Equal(ResultCode.InvalidPatch, r.Code);
        }
        Assert.Equal("""{"a":"x","c":[1],"d/e":true}""", Encoding.UTF8.GetString(h.Machine.GetQueue("p", "q")!.MetadataJson));
        Assert.Equal(ResultCode.QueueNotFound, h.Run(new PatchQueueMetadata { Project = "p", Queue = "x", Ops = [] }).Code);
    }

    [Fact]
    public void Patched_reserved_keys_take_effect()
    {
        var h = new Harness();
        h.Run(new CreateQueue { Project = "p", Queue = "q" });
        h.Run(new PatchQueueMetadata { Project = "p", Queue = "q", Ops = [new MetadataPatchOp { Op = "add", Path = "/metadata/_default_message_ttl", ValueJson = "77"u8.ToArray() }] });
        h.Post("q", "a");
        Assert.Equal(77, h.List("q")[0].TtlSeconds);
    }

    [Fact]
    public void List_by_name_with_marker_count_and_delete()
    {
        var h = new Harness();
        foreach (var name in new[] { "c", "a", "b", "d" })
            h.Run(new CreateQueue { Project = "p", Queue = name });
        h.Run(new CreateQueue { Project = "other", Queue = "z" });
        Assert.Equal(["a", "b"], h.Machine.ListQueues("p", null, 2).Select(q => q.Name));
        Assert.Equal(["c", "d"], h.Machine.ListQueues("p", "b", 10).Select(q => q.Name));
        Assert.Equal(4, h.Machine.CountQueues("p"));
        h.Post("b", "x");
        h.Run(new CreateSubscription { Project = "p", Queue = "b", Subscriber = "http://x", TtlSeconds = 100, OptionsJson = "{}"u8.ToArray() });
        Assert.Equal(ResultCode.Ok, h.Run(new DeleteQueue { Project = "p", Queue = "b" }).Code);
        Assert.Equal(ResultCode.Ok, h.Run(new DeleteQueue { Project = "p", Queue = "b" }).Code);
        Assert.Null(h.Machine.GetQueue("p", "b"));
        Assert.Empty(h.Machine.AllSubscriptions(h.NowMs));
        Assert.Equal(3, h.Machine.CountQueues("p"));
        Assert.Equal(0, h.Machine.CountQueues("nobody"));
        // Recreated queue starts empty.
        h.Run(new CreateQueue { Project = "p", Queue = "b" });
        Assert.Empty(h.List("b"));
    }

    [Fact]
    public void Projects_with_queues_are_listed_sorted_with_marker_and_limit()
    {
        var h = new Harness();
        foreach (var (project, queue) in new[] { ("p2", "a"), ("p1", "a"), ("p1", "b"), ("p3", "a") })
            h.Run(new CreateQueue { Project = project, Queue = queue });
        Assert.Equal(["p1", "p2", "p3"], h.Machine.ListProjects(null, 10));
        Assert.Equal(["p1", "p2"], h.Machine.ListProjects(null, 2));
        Assert.Equal(["p3"], h.Machine.ListProjects("p2", 2));
        Assert.Empty(h.Machine.ListProjects(null, 0));
        // A project whose queues are all gone is not listed.
        h.Run(new DeleteQueue { Project = "p2", Queue = "a" });
        Assert.Equal(["p1", "p3"], h.Machine.ListProjects(null, 10));
    }

    [Fact]
    public void Purge_messages_or_subscriptions()
    {
        var h = new Harness();
        h.Post("q", "a");
        h.Run(new CreateSubscription { Project = "p", Queue = "q", Subscriber = "http://x", TtlSeconds = 100, OptionsJson = "{}"u8.ToArray() });
        h.Run(new PurgeQueue { Project = "p", Queue = "q", Messages = false, Subscriptions = true });
        Assert.Single(h.List("q"));
        Assert.Empty(h.Machine.ListSubscriptions("p", "q", null, 10, h.NowMs));
        h.Run(new PurgeQueue { Project = "p", Queue = "q", Messages = true, Subscriptions = false });
        Assert.Empty(h.List("q"));
        Assert.Equal(ResultCode.QueueNotFound, h.Run(new PurgeQueue { Project = "p", Queue = "x" }).Code);
    }

    [Fact]
    public void Subscriptions_crud_confirm_conflict_and_expiry()
    {
        var h = new Harness();
        var created = h.Run<CreatedIdResult>(new CreateSubscription { Project = "p", Queue = "q", Subscriber = "http://a", TtlSeconds = 100, OptionsJson = """{"k":1}"""u8.ToArray() });
        Assert.Equal(ResultCode.Created, created.Code);
        Assert.NotNull(h.Machine.GetQueue("p", "q")); // lazily created
        Assert.Equal(ResultCode.Conflict, h.Run(new CreateSubscription { Project = "p", Queue = "q", Subscriber = "http://a", TtlSeconds = 100, OptionsJson = "{}"u8.ToArray() }).Code);
        var second = h.Run<CreatedIdResult>(new CreateSubscription { Project = "p", Queue = "q", Subscriber = "mailto:b@x", TtlSeconds = 200, OptionsJson = "{}"u8.ToArray() });
        Assert.Equal(ResultCode.Conflict, h.Run(new UpdateSubscription { Project = "p", Queue = "q", SubscriptionId = second.Id, Subscriber = "http://a" }).Code);
        Assert.Equal(ResultCode.Ok, h.Run(new ConfirmSubscription { Project = "p", Queue = "q", SubscriptionId = created.Id, Confirmed = true }).Code);
        Assert.Equal(ResultCode.SubscriptionNotFound, h.Run(new ConfirmSubscription { Project = "p", Queue = "q", SubscriptionId = "nope", Confirmed = true }).Code);
        var sub = h.Machine.GetSubscription("p", "q", created.Id, h.NowMs)!;
        Assert.True(sub.Confirmed);
        Assert.Equal("""{"k":1}""", Encoding.UTF8.GetString(sub.OptionsJson));
        Assert.Equal([created.Id, second.Id], h.Machine.ListSubscriptions("p", "q", null, 10, h.NowMs).Select(s => s.Id));
        Assert.Equal([second.Id], h.Machine.ListSubscriptions("p", "q", created.Id, 10, h.NowMs).Select(s => s.Id));
        h.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(ResultCode.Ok, h.Run(new UpdateSubscription { Project = "p", Queue = "q", SubscriptionId = created.Id, TtlSeconds = 500, OptionsJson = "{}"u8.ToArray() }).Code);
        h.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal([created.Id], h.Machine.AllSubscriptions(h.NowMs).Select(s => s.Subscription.Id));
        Assert.Equal(ResultCode.Ok, h.Run(new DeleteSubscription { Project = "p", Queue = "q", SubscriptionId = created.Id }).Code);
        Assert.Equal(ResultCode.Ok, h.Run(new DeleteSubscription { Project = "p", Queue = "q", SubscriptionId = created.Id }).Code);
        Assert.Null(h.Machine.GetSubscription("p", "q", created.Id, h.NowMs));
        Assert.Equal(ResultCode.SubscriptionNotFound, h.Run(new UpdateSubscription { Project = "p", Queue = "q", SubscriptionId = created.Id }).Code);
    }

    [Fact]
    public void Retries_get_the_first_result_and_idempotency_keys_enqueue_once()
    {
        var h = new Harness(new QueueStateMachineOptions { DedupWindowMs = 60_000, MaxDedupEntries = 3 });
        var rid = h.NextRequestId();
        var post = new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = "1"u8.ToArray() }] };
        var first = h.Run<PostMessagesResult>(post, rid);
        var retry = h.Run<PostMessagesResult>(post, rid);
        Assert.Equal(first.MessageIds, retry.MessageIds);
        Assert.Single(h.List("q"));
        var keyed = post with { IdempotencyKey = "k" };
        var k1 = h.Run<PostMessagesResult>(keyed);
        var k2 = h.Run<PostMessagesResult>(keyed); // new request id, same key
        Assert.Equal(k1.MessageIds, k2.MessageIds);
        Assert.Equal(2, h.List("q").Count);
        Assert.NotEqual(k1.MessageIds, h.Run<PostMessagesResult>(keyed with { Queue = "other" }).MessageIds);
        // The window passes: the key is forgotten.
        h.Advance(TimeSpan.FromSeconds(60));
        Assert.NotEqual(k1.MessageIds, h.Run<PostMessagesResult>(keyed).MessageIds);
        // Non-post results are remembered too; Guid.Empty never is.
        var claimRid = h.NextRequestId();
        var c1 = h.Run<ClaimResult>(new CreateClaim { Project = "p", Queue = "q", Limit = 1, TtlSeconds = 60, GraceSeconds = 60 }, claimRid);
        var c2 = h.Run<ClaimResult>(new CreateClaim { Project = "p", Queue = "q", Limit = 1, TtlSeconds = 60, GraceSeconds = 60 }, claimRid);
        Assert.Equal(c1.Claim!.Id, c2.Claim!.Id);
        var e1 = h.Run<PostMessagesResult>(post, Guid.Empty);
        var e2 = h.Run<PostMessagesResult>(post, Guid.Empty);
        Assert.NotEqual(e1.MessageIds, e2.MessageIds);
        // The count bound: the oldest entries go first.
        for (var i = 0; i < 3; i++)
            h.Run(new Expire(), h.NextRequestId());
        Assert.NotEqual(c1.Claim!.Id, h.Run<ClaimResult>(new CreateClaim { Project = "p", Queue = "q", Limit = 1, TtlSeconds = 60, GraceSeconds = 60 }, claimRid).Claim?.Id);
    }
}
