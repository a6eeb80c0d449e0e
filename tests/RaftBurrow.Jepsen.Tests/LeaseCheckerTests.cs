using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Tests;

public class LeaseCheckerTests
{
    [Fact]
    public void Two_live_claims_on_one_message_are_rejected()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(100, 110, 60, "c1", "1");
        h.Claim(5_000, 5_010, 60, "c2", "1");
        var r = new LeaseChecker(skewMs: 1000).Check(h.Build());
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(1, r.Counts["double-held"]);
    }

    [Fact]
    public void A_second_claim_after_the_first_expired_is_valid()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(100, 110, 60, "c1", "1");
        h.Claim(61_200, 61_210, 60, "c2", "1");
        Assert.Equal(Validity.Valid, new LeaseChecker(skewMs: 1000).Check(h.Build()).Validity);
    }

    [Fact]
    public void The_skew_bound_widens_what_counts_as_possibly_expired()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(100, 110, 60, "c1", "1");
        h.Claim(58_000, 58_010, 60, "c2", "1");
        Assert.Equal(Validity.Invalid, new LeaseChecker(skewMs: 1000).Check(h.Build()).Validity);
        Assert.Equal(Validity.Valid, new LeaseChecker(skewMs: 5000).Check(h.Build()).Validity);
    }

    [Fact]
    public void A_released_claim_lets_another_claim_take_the_message()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(100, 110, 60, "c1", "1");
        h.Release(200, 210, "c1", OpResult.Info);
        h.Claim(300, 310, 60, "c2", "1");
        var r = new LeaseChecker(skewMs: 1000).Check(h.Build());
        Assert.Equal(Validity.Valid, r.Validity);
        Assert.Equal(1, r.Counts["excused-by-release"]);
    }

    [Fact]
    public void A_failed_release_does_not_excuse()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Claim(100, 110, 60, "c1", "1");
        h.Release(200, 210, "c1", OpResult.Fail);
        h.Claim(300, 310, 60, "c2", "1");
        Assert.Equal(Validity.Invalid, new LeaseChecker(skewMs: 1000).Check(h.Build()).Validity);
    }

    [Fact]
    public void Different_messages_do_not_conflict_and_no_claims_is_skipped()
    {
        var h = new HistoryBuilder();
        h.Claim(100, 110, 60, "c1", "1");
        h.Claim(120, 130, 60, "c2", "2");
        Assert.Equal(Validity.Valid, new LeaseChecker(0).Check(h.Build()).Validity);
        Assert.Equal(Validity.Skipped, new LeaseChecker(0).Check(new HistoryBuilder().Build()).Validity);
    }
}
