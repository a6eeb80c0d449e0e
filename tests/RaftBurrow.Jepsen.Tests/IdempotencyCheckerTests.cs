using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Tests;

public class IdempotencyCheckerTests
{
    private static CheckResult Check(HistoryBuilder h) => new IdempotencyChecker(windowMs: 600_000).Check(h.Build());

    [Fact]
    public void Retries_with_one_key_that_make_one_message_are_valid()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 5000, OpResult.Info, key: "k1");
        h.Enq("1", 5100, 5200, key: "k1", id: "mX");
        h.Enq("1", 5300, 5400, key: "k1", id: "mX");
        h.Claim(6000, 6010, 60, OpResult.Ok, "q", ("mX", "c", "1"));
        var r = Check(h);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(1, r.Counts["retried-and-deduplicated"]);
    }

    [Fact]
    public void Successful_retries_naming_different_messages_are_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10, key: "k1", id: "mA");
        h.Enq("1", 20, 30, key: "k1", id: "mB");
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["key-answered-differently"]);
    }

    [Fact]
    public void Two_messages_delivered_for_one_key_are_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 5000, OpResult.Info, key: "k1");
        h.Enq("1", 5100, 5200, key: "k1", id: "mB");
        h.Read(9000, 9010, "q", "1");
        h.Claim(8000, 8010, 60, OpResult.Ok, "q", ("mB", "c", "1"));
        var r = Check(h);
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["key-duplicated"]);
    }

    [Fact]
    public void Retries_outside_the_window_are_not_judged()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10, key: "k1", id: "mA");
        h.Enq("1", 700_000, 700_010, key: "k1", id: "mB");
        var r = Check(h);
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(1, r.Counts["outside-window"]);
    }

    [Fact]
    public void Histories_without_keys_are_skipped()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        Assert.Equal(Validity.Skipped, Check(h).Validity);
    }
}
