using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Tests;

public class FifoCheckerTests
{
    private static CheckResult Check(HistoryBuilder h) => new FifoChecker(skewMs: 0, slackMs: 0).Check(h.Build());

    [Fact]
    public void In_order_delivery_is_valid()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Enq("3", 40, 50);
        h.Pop(60, 70, 2, values: ["1", "2"]);
        h.Claim(80, 90, 60, "c", "3");
        Assert.Equal(Validity.Valid, Check(h).Validity);
    }

    [Fact]
    public void A_later_message_delivered_before_an_earlier_one_is_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Pop(60, 70, 1, values: "2");
        h.Pop(80, 90, 1, values: "1");
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["order-violations"]);
    }

    [Fact]
    public void A_response_listing_messages_out_of_order_is_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Claim(60, 70, 60, "c", "2", "1");
        Assert.Equal(Validity.Invalid, Check(h).Validity);
    }

    [Fact]
    public void Concurrent_enqueues_impose_no_order()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 30);
        h.Enq("2", 10, 20);
        h.Pop(60, 70, 1, values: "2");
        h.Pop(80, 90, 1, values: "1");
        Assert.Equal(Validity.Valid, Check(h).Validity);
    }

    [Fact]
    public void Concurrent_deliveries_impose_no_order()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Claim(60, 100, 60, "c1", "1");
        h.Claim(50, 70, 60, "c2", "2");
        Assert.Equal(Validity.Valid, Check(h).Validity);
    }

    [Fact]
    public void An_earlier_message_hidden_by_an_indeterminate_claim_excuses_the_reordering()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Claim(40, 45, 60, OpResult.Info, "q");
        h.Pop(60, 70, 1, values: "2");
        h.Read(70_000, 70_010, "q", "1");
        var r = Check(h);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(1, r.Counts["excused-by-indeterminate-claim"]);
    }

    [Fact]
    public void An_indeterminate_claim_that_ended_before_the_earlier_message_existed_excuses_nothing()
    {
        var h = new HistoryBuilder();
        h.Claim(40, 45, 60, OpResult.Info, "q");
        h.Enq("1", 50, 60);
        h.Enq("2", 70, 80);
        h.Pop(90, 100, 1, values: "2");
        h.Read(70_000, 70_010, "q", "1");
        Assert.Equal(Validity.Invalid, Check(h).Validity);
    }

    [Fact]
    public void A_claimed_then_released_message_keeps_its_first_delivery()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Claim(40, 50, 60, "c1", "1");
        h.Release(51, 55, "c1");
        h.Claim(60, 70, 60, "c2", "2");
        h.Claim(80, 90, 60, "c3", "1");
        Assert.Equal(Validity.Valid, Check(h).Validity);
    }

    [Fact]
    public void Queues_are_independent()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10, queue: "a");
        h.Enq("2", 20, 30, queue: "b");
        h.Pop(60, 70, 1, queue: "b", values: "2");
        h.Pop(80, 90, 1, queue: "a", values: "1");
        Assert.Equal(Validity.Valid, Check(h).Validity);
    }
}
