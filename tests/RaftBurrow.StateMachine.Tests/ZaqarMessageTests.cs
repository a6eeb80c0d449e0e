using System.Text;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;

namespace RaftBurrow.StateMachine.Tests;

public class ZaqarMessageTests
{
    [Fact]
    public void Post_lazily_creates_the_queue_and_hands_out_log_derived_ids()
    {
        var h = new Harness();
        var ids = h.Post("q", "1", "2", "3");
        Assert.Equal(["000000030000000000000001", "000000030000000000000002", "000000030000000000000003"], ids);
        Assert.NotNull(h.Machine.GetQueue("p", "q"));
        Assert.Equal(["1", "2", "3"], h.List("q").Select(Harness.Body));
        var m = h.List("q")[0];
        Assert.Equal(Harness.StartMs, m.CreatedMs);
        Assert.Equal(3600, m.TtlSeconds);
        Assert.Equal(Harness.StartMs + 3_600_000, m.ExpiresMs);
    }

    [Fact]
    public void Per_message_and_queue_default_ttl_and_delay_apply()
    {
        var h = new Harness();
        h.Run(new CreateQueue { Project = "p", Queue = "q", MetadataJson = """{"_default_message_ttl":120,"_default_message_delay":30}"""u8.ToArray() });
        h.Run(new PostMessages
        {
            Project = "p", Queue = "q",
            Messages = [new NewMessage { BodyJson = "1"u8.ToArray() }, new NewMessage { TtlSeconds = 300, DelaySeconds = 0, BodyJson = "2"u8.ToArray() }],
        });
        var all = h.Machine.ListMessages("p", "q", new ListMessagesOptions { Echo = true, IncludeDelayed = true }, h.NowMs)!.Messages;
        Assert.Equal(120, all[0].TtlSeconds);
        Assert.Equal(h.NowMs + 30_000, all[0].VisibleAtMs);
        Assert.Equal(300, all[1].TtlSeconds);
        Assert.Equal(["2"], h.List("q").Select(Harness.Body));
        Assert.Equal(h.NowMs + 30_000, h.Machine.NextDeadlineMs);
        h.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(["1", "2"], h.List("q").Select(Harness.Body));
    }

    [Fact]
    public void Post_size_and_message_quota_are_enforced_for_the_whole_batch()
    {
        var h = new Harness(new QueueStateMachineOptions { MaxMessagesPerQueue = 3 });
        h.Run(new CreateQueue { Project = "p", Queue = "q", MetadataJson = """{"_max_messages_post_size":10}"""u8.ToArray() });
        Assert.Equal(ResultCode.PostTooLarge, h.Run(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = new byte[11] }] }).Code);
        h.Post("q", "1", "2");
        Assert.Equal(ResultCode.QuotaExceeded, h.Run(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = "3"u8.ToArray() }, new NewMessage { BodyJson = "4"u8.ToArray() }] }).Code);
        Assert.Equal(2, h.List("q").Count);
        Assert.Equal(ResultCode.QuotaExceeded, h.Run(new PostMessages { Project = "p", Queue = "other", Messages = new NewMessage[4].Select(_ => new NewMessage { BodyJson = "1"u8.ToArray() }).ToArray() }).Code);
        Assert.Null(h.Machine.GetQueue("p", "other"));
    }

    [Fact]
    public void List_honours_marker_limit_echo_claimed()
    {
        var h = new Harness();
        var me = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
        h.Post("q", me, "mine");
        h.Post("q", "a", "b", "c");
        var opts = new ListMessagesOptions { Limit = 2, ClientId = me };
        var page1 = h.Machine.ListMessages("p", "q", opts, h.NowMs)!;
        Assert.Equal(["a", "b"], page1.Messages.Select(Harness.Body));
        var page2 = h.Machine.ListMessages("p", "q", opts with { Marker = page1.NextMarker }, h.NowMs)!;
        Assert.Equal(["c"], page2.Messages.Select(Harness.Body));
        var page3 = h.Machine.ListMessages("p", "q", opts with { Marker = page2.NextMarker }, h.NowMs)!;
        Assert.Empty(page3.Messages);
        Assert.Equal(page2.NextMarker, page3.NextMarker);
        Assert.Equal(4, h.Machine.ListMessages("p", "q", new ListMessagesOptions { Echo = true, ClientId = me }, h.NowMs)!.Messages.Count);
        h.Claim("q", 2);
        Assert.Equal(["b", "c"], h.List("q", includeClaimed: false).Select(Harness.Body));
        Assert.Null(h.Machine.ListMessages("p", "nope", opts, h.NowMs));
    }

    [Fact]
    public void Get_one_and_by_ids_skip_missing_and_keep_queue_order()
    {
        var h = new Harness();
        var ids = h.Post("q", "a", "b", "c");
        Assert.Equal("b", Harness.Body(h.Machine.GetMessage("p", "q", ids[1], h.NowMs)!));
        Assert.Null(h.Machine.GetMessage("p", "other", ids[1], h.NowMs));
        Assert.Null(h.Machine.GetMessage("p", "q", "not-an-id", h.NowMs));
        Assert.Null(h.Machine.GetMessage("p", "q", "000000040000000000000001", h.NowMs)); // another partition's id
        var got = h.Machine.GetMessages("p", "q", [ids[2], "zzz", ids[0], ids[2]], h.NowMs);
        Assert.Equal(["a", "c"], got.Select(Harness.Body));
    }

    [Fact]
    public void Delete_follows_zaqar_claim_rules()
    {
        var h = new Harness();
        var ids = h.Post("q", "a", "b", "c");
        Assert.Equal(ResultCode.Ok, h.Delete("q", ids[2]));
        Assert.Equal(ResultCode.Ok, h.Delete("q", ids[2])); // already gone: still 204
        Assert.Equal(ResultCode.Ok, h.Delete("missing", ids[0]));
        var claim = h.Claim("q", 1).Claim!;
        Assert.Equal(ResultCode.ClaimMismatch, h.Delete("q", ids[0])); // claimed, no claim id → 403
        Assert.Equal(ResultCode.ClaimMismatch, h.Delete("q", ids[0], "000000030000000000000099")); // other claim → 403
        Assert.Equal(ResultCode.MessageNotClaimed, h.Delete("q", ids[1], claim.Id)); // not claimed → 400
        Assert.Equal(ResultCode.Ok, h.Delete("q", ids[0], claim.Id));
        Assert.Equal(["b"], h.List("q").Select(Harness.Body));
        // The claim had only that message: it is gone with it.
        Assert.Null(h.Machine.GetClaim("p", "q", claim.Id, h.NowMs));
        // After the claim expires the message is not claimed any more.
        var c2 = h.Claim("q", 1).Claim!;
        h.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(ResultCode.MessageNotClaimed, h.Delete("q", ids[1], c2.Id));
        Assert.Equal(ResultCode.Ok, h.Delete("q", ids[1]));
    }

    [Fact]
    public void Bulk_delete_and_pop()
    {
        var h = new Harness();
        var ids = h.Post("q", "a", "b", "c", "d", "e");
        h.Claim("q", 1);
        Assert.Equal(ResultCode.Ok, h.Run(new DeleteMessages { Project = "p", Queue = "q", MessageIds = [ids[0], ids[2], "x"] }).Code);
        Assert.Equal(["b", "d", "e"], h.List("q").Select(Harness.Body));
        var popped = h.Run<MessagesResult>(new PopMessages { Project = "p", Queue = "q", Limit = 2 });
        Assert.Equal(["b", "d"], popped.Messages.Select(Harness.Body));
        Assert.Equal(["e"], h.List("q").Select(Harness.Body));
        h.Claim("q", 1);
        Assert.Equal(ResultCode.NoContent, h.Run(new PopMessages { Project = "p", Queue = "q", Limit = 2 }).Code);
        Assert.Equal(ResultCode.QueueNotFound, h.Run(new PopMessages { Project = "p", Queue = "nope", Limit = 2 }).Code);
    }

    [Fact]
    public void Expired_messages_are_never_returned_and_are_purged_by_expire()
    {
        var h = new Harness();
        h.Run(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { TtlSeconds = 60, BodyJson = "1"u8.ToArray() }, new NewMessage { TtlSeconds = 120, BodyJson = "2"u8.ToArray() }] });
        Assert.Equal(Harness.StartMs + 60_000, h.Machine.NextDeadlineMs);
        h.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(["2"], h.List("q").Select(Harness.Body)); // filtered by now before any purge
        Assert.Equal(1, h.Machine.GetQueueStats("p", "q", h.NowMs)!.Total);
        var before = h.Machine.StateHash();
        h.Run(new Expire());
        Assert.NotEqual(before, h.Machine.StateHash());
        Assert.Equal(Harness.StartMs + 120_000, h.Machine.NextDeadlineMs);
        h.Advance(TimeSpan.FromSeconds(60));
        h.Run(new Expire());
        Assert.Null(h.Machine.NextDeadlineMs);
        Assert.Empty(h.List("q"));
    }

    [Fact]
    public void Stats_count_claimed_free_oldest_newest()
    {
        var h = new Harness();
        var ids = h.Post("q", "a", "b", "c");
        h.Claim("q", 2);
        var stats = h.Machine.GetQueueStats("p", "q", h.NowMs)!;
        Assert.Equal((3, 2, 1), (stats.Total, stats.Claimed, stats.Free));
        Assert.Equal(ids[0], stats.Oldest!.Id);
        Assert.Equal(ids[2], stats.Newest!.Id);
        h.Run(new PurgeQueue { Project = "p", Queue = "q" });
        stats = h.Machine.GetQueueStats("p", "q", h.NowMs)!;
        Assert.Equal((0, 0, 0), (stats.Total, stats.Claimed, stats.Free));
        Assert.Null(stats.Oldest);
        Assert.Null(h.Machine.GetQueueStats("p", "nope", h.NowMs));
    }

    [Fact]
    public void Undecodable_and_replayed_entries()
    {
        var h = new Harness();
        Assert.Equal(ResultCode.BadCommand, Assert.IsType<CodeResult>(h.Machine.Apply(1, [1, 2, 3])).Code);
        Assert.Equal(1, h.Machine.AppliedIndex);
        var garbage = LogEntryCodec.Encode(5, Guid.Empty, [1, 0xc1, 0xff]);
        Assert.Equal(ResultCode.BadCommand, ((CommandResult)h.Machine.Apply(2, garbage)!).Code);
        var entry = LogEntryCodec.Encode(5, Guid.Empty, CommandCodec.Encode(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = "1"u8.ToArray() }] }));
        Assert.NotNull(h.Machine.Apply(3, entry));
        Assert.Null(h.Machine.Apply(3, entry));
        Assert.Null(h.Machine.Apply(2, entry));
        Assert.Equal(3, h.Machine.AppliedIndex);
        // A nil where the types promise a string is rejected, not thrown.
        var nilProject = CommandCodec.Encode(new DeleteQueue { Project = null!, Queue = "q" });
        Assert.Equal(ResultCode.BadCommand, ((CommandResult)h.Machine.Apply(4, LogEntryCodec.Encode(5, Guid.Empty, nilProject))!).Code);
        _ = Encoding.UTF8;
    }
}
