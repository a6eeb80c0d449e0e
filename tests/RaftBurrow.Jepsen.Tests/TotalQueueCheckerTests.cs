using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Tests;

public class TotalQueueCheckerTests
{
    private static CheckResult Check(HistoryBuilder h) => new TotalQueueChecker().Check(h.Build());

    [Fact]
    public void Every_acknowledged_message_delivered_is_valid()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 5, 15);
        h.Claim(20, 30, 60, "c1", "1");
        h.Pop(31, 40, 5, values: "2");
        var r = Check(h);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(2, r.Counts["acknowledged"]);
        Assert.Equal(2, r.Counts["delivered"]);
    }

    [Fact]
    public void Lost_messages_are_rejected_and_classified_prefix_middle_suffix()
    {
        var h = new HistoryBuilder();
        for (var i = 1; i <= 6; i++)
        {
            h.Enq(i.ToString(), i * 10, (i * 10) + 5);
        }

        // Delivered: 2, 4 (so 1 is prefix, 3 middle, 5 and 6 suffix).
        h.Read(100, 110, "q", "2", "4");
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(4, r.Counts["lost"]);
        Assert.Equal(1, r.Counts["lost-prefix"]);
        Assert.Equal(1, r.Counts["lost-middle"]);
        Assert.Equal(2, r.Counts["lost-suffix"]);
        Assert.Contains(r.Anomalies, a => a.Contains("value 3") && a.Contains("middle"));
    }

    [Fact]
    public void Indeterminate_and_failed_enqueues_may_be_missing_and_recovered_ones_are_counted()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10, OpResult.Info);
        h.Enq("2", 0, 10, OpResult.Info);
        h.Enq("3", 0, 10, OpResult.Fail);
        h.Read(100, 110, "q", "1");
        var r = Check(h);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(1, r.Counts["recovered"]);
    }

    [Fact]
    public void A_value_never_sent_is_unexpected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Read(100, 110, "q", "1", "999");
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["unexpected"]);
    }

    [Fact]
    public void One_post_that_became_two_messages_is_duplicated()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(20, 30, 60, OpResult.Ok, "q", ("mA", "c1", "1"));
        h.Claim(40, 50, 60, OpResult.Ok, "q", ("mB", "c2", "1"));
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["duplicated"]);
    }

    [Fact]
    public void Redelivery_of_the_same_message_after_claim_expiry_is_counted_not_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(20, 30, 60, "c1", "1");
        h.Claim(70_000, 70_010, 60, "c2", "1");
        var r = Check(h);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(1, r.Counts["redelivered"]);
    }

    [Fact]
    public void A_deleted_message_seen_again_is_resurrected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(20, 30, 60, "c1", "1");
        h.Delete(31, 40, "m1", "c1");
        h.Read(100, 110, "q", "1");
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["resurrected"]);
    }

    [Fact]
    public void Losses_within_the_reach_of_indeterminate_pops_are_unknown()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 0, 10);
        h.Pop(20, 30, 1, OpResult.Info);
        h.Read(100, 110, "q", "2");
        var r = Check(h);
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.Equal(1, r.Counts["possibly-popped"]);
    }

    [Fact]
    public void An_indeterminate_pop_after_a_later_message_was_seen_cannot_excuse_a_loss()
    {
        // 1 was acknowledged, 2 was sent after that and popped; 1 was never seen. A pop that started
        // long after 2 was seen cannot have taken 1 (FIFO: 1 was gone before 2 came out).
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Pop(40, 50, 1, values: "2");
        h.Pop(20_000, 25_000, 3, OpResult.Info);
        h.Read(30_000, 30_010, "q");
        var r = new TotalQueueChecker(slackMs: 10_000).Check(h.Build());
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["lost"]);
    }

    [Fact]
    public void An_indeterminate_pop_before_a_later_message_was_seen_may_excuse_a_loss()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Pop(12, 5_000, 1, OpResult.Info);
        h.Enq("2", 20, 30);
        h.Pop(40, 50, 1, values: "2");
        h.Read(30_000, 30_010, "q");
        Assert.Equal(Validity.Unknown, new TotalQueueChecker(slackMs: 10_000).Check(h.Build()).Validity);
    }

    [Fact]
    public void A_loss_the_linearizability_search_explains_is_settled_by_the_suite()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Pop(20, 30, 1, OpResult.Info);
        h.Enq("2", 40, 50);
        h.Pop(60, 70, 1, values: "2");
        h.Pop(80, 90, 1);
        Assert.Equal(Validity.Unknown, Check(h).Validity);
        var suite = CheckSuite.Run(h.Build(), new Cli.TestOptions(), null, 3);
        Assert.Equal(Validity.Valid, suite.Single(r => r.Name == "linearizable").Validity);
        Assert.Equal(Validity.Valid, suite.Single(r => r.Name == "total-queue").Validity);
    }

    [Fact]
    public void Losses_beyond_the_reach_of_indeterminate_pops_are_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 0, 10);
        h.Enq("3", 0, 10);
        h.Pop(20, 30, 1, OpResult.Info);
        h.Read(100, 110, "q");
        Assert.Equal(Validity.Invalid, Check(h).Validity);
    }

    [Fact]
    public void No_enqueues_is_skipped()
    {
        Assert.Equal(Validity.Skipped, Check(new HistoryBuilder()).Validity);
    }
}
