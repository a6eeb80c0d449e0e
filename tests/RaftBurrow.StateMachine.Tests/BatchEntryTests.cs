using System.Text;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;

namespace RaftBurrow.StateMachine.Tests;

/// <summary>Group-commit entries (LogEntryCodec version 2): several commands in one log entry.</summary>
public class BatchEntryTests
{
    private static byte[] Post(long nowMs, Guid requestId, string queue, string body) =>
        LogEntryCodec.Encode(nowMs, requestId, CommandCodec.Encode(new PostMessages
        {
            Project = "p",
            Queue = queue,
            Messages = [new NewMessage { BodyJson = Encoding.UTF8.GetBytes(body) }],
        }));

    private static Guid Rid(int i) => new(i, 0, 0, new byte[8]);

    [Fact]
    public void The_batch_layout_is_pinned()
    {
        Assert.Equal(2, LogEntryCodec.BatchVersion);
        var batch = LogEntryCodec.EncodeBatch([[1, 2], [3]]);
        Assert.Equal(new byte[] { 2, 2, 0, 0, 0, 2, 0, 0, 0, 1, 2, 1, 0, 0, 0, 3 }, batch);
    }

    [Fact]
    public void Each_item_is_applied_in_order_with_its_own_result()
    {
        var h = new Harness();
        var batch = LogEntryCodec.EncodeBatch([Post(h.NowMs, Rid(1), "a", "1"), Post(h.NowMs, Rid(2), "a", "2"), Post(h.NowMs + 5, Rid(3), "b", "3")]);
        var results = Assert.IsType<object?[]>(h.Machine.Apply(1, batch));
        Assert.Equal(3, results.Length);
        var ids = results.Select(r => Assert.IsType<PostMessagesResult>(r).MessageIds.Single()).ToArray();
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(1, h.Machine.AppliedIndex);
        Assert.Equal(h.NowMs + 5, h.Machine.ClockMs);
        Assert.Equal(["1", "2"], h.List("a").Select(Harness.Body));
        Assert.Null(h.Machine.Apply(1, batch)); // idempotent by index
    }

    [Fact]
    public void Claims_and_deletes_in_one_batch_each_apply()
    {
        var h = new Harness();
        h.Post("a", "1", "2", "3", "4");
        var claim = CommandCodec.Encode(new CreateClaim { Project = "p", Queue = "a", Limit = 2, TtlSeconds = 60, GraceSeconds = 60 });
        var results = Assert.IsType<object?[]>(h.Machine.Apply(2, LogEntryCodec.EncodeBatch([LogEntryCodec.Encode(h.NowMs, Rid(1), claim), LogEntryCodec.Encode(h.NowMs, Rid(2), claim)])));
        var first = Assert.IsType<ClaimResult>(results[0]);
        var second = Assert.IsType<ClaimResult>(results[1]);
        Assert.Equal(ResultCode.Created, first.Code);
        Assert.Equal(ResultCode.Created, second.Code);
        Assert.Equal(4, first.Claim!.Messages.Concat(second.Claim!.Messages).Select(m => m.Id).Distinct().Count());
        var deletes = first.Claim.Messages.Select((m, i) => LogEntryCodec.Encode(h.NowMs, Rid(10 + i), CommandCodec.Encode(new DeleteMessage { Project = "p", Queue = "a", MessageId = m.Id, ClaimId = first.Claim.Id }))).ToArray();
        var deleted = Assert.IsType<object?[]>(h.Machine.Apply(3, LogEntryCodec.EncodeBatch(deletes)));
        Assert.All(deleted, r => Assert.Equal(ResultCode.Ok, Assert.IsAssignableFrom<CommandResult>(r).Code));
        Assert.Equal(2, h.List("a").Count);
    }

    [Fact]
    public void An_item_retried_later_answers_its_remembered_result()
    {
        var h = new Harness();
        var first = Assert.IsType<object?[]>(h.Machine.Apply(1, LogEntryCodec.EncodeBatch([Post(h.NowMs, Rid(1), "a", "1"), Post(h.NowMs, Rid(2), "a", "2")])));
        // The same request ids again: once alone, once inside another batch.
        var alone = Assert.IsType<PostMessagesResult>(h.Machine.Apply(2, Post(h.NowMs, Rid(2), "a", "2")));
        var again = Assert.IsType<object?[]>(h.Machine.Apply(3, LogEntryCodec.EncodeBatch([Post(h.NowMs, Rid(1), "a", "1"), Post(h.NowMs, Rid(4), "a", "4")])));
        Assert.Equal(((PostMessagesResult)first[1]!).MessageIds, alone.MessageIds);
        Assert.Equal(((PostMessagesResult)first[0]!).MessageIds, ((PostMessagesResult)again[0]!).MessageIds);
        Assert.Equal(["1", "2", "4"], h.List("a").Select(Harness.Body));
    }

    [Fact]
    public void A_cut_short_batch_rejects_the_unreadable_items_and_still_moves_the_index()
    {
        var h = new Harness();
        var batch = LogEntryCodec.EncodeBatch([Post(h.NowMs, Rid(1), "a", "1"), Post(h.NowMs, Rid(2), "a", "2")]);
        var results = Assert.IsType<object?[]>(h.Machine.Apply(1, batch.AsSpan(0, batch.Length - 3)));
        Assert.IsType<PostMessagesResult>(results[0]);
        Assert.Equal(ResultCode.BadCommand, Assert.IsType<CodeResult>(results[1]).Code);
        Assert.Equal(1, h.Machine.AppliedIndex);
        Assert.Empty(Assert.IsType<object?[]>(h.Machine.Apply(2, LogEntryCodec.EncodeBatch([]))));
        Assert.Equal(2, h.Machine.AppliedIndex);
        Assert.Equal(ResultCode.BadCommand, Assert.IsType<CodeResult>(h.Machine.Apply(3, [2, 0xff, 0xff, 0xff, 0x7f])).Code);
        Assert.Equal(3, h.Machine.AppliedIndex);
    }

    [Fact]
    public void A_batch_and_the_same_commands_one_by_one_reach_the_same_state()
    {
        var a = new Harness();
        var b = new Harness();
        var items = Enumerable.Range(1, 20).Select(i => Post(a.NowMs + i, Rid(i), "q" + (i % 3), "m" + i)).ToArray();
        a.Machine.Apply(1, LogEntryCodec.EncodeBatch(items));
        for (var i = 0; i < items.Length; i++)
            b.Machine.Apply(1 + i, items[i]);
        // The state hash covers the applied index, which differs; the queues and ids must not.
        Assert.Equal(a.Machine.LastSequence, b.Machine.LastSequence);
        for (var q = 0; q < 3; q++)
            Assert.Equal(a.List("q" + q, limit: 20).Select(m => (m.Id, Harness.Body(m))), b.List("q" + q, limit: 20).Select(m => (m.Id, Harness.Body(m))));
    }
}
