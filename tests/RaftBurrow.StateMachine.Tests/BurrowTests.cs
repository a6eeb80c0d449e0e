using System.Text;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;

namespace RaftBurrow.StateMachine.Tests;

public class BurrowTests
{
    private static BurrowPutMessage Put(string id, string body = "x", long ttl = 0, long hide = 0, string account = "a", string queue = "q") =>
        new() { Project = account, Queue = queue, MessageId = id, Body = Encoding.UTF8.GetBytes(body), TtlSeconds = ttl, HideSeconds = hide };

    private static BurrowSelector All(bool hidden = false, int? limit = null, string? marker = null) => new() { MatchHidden = hidden, Limit = limit, Marker = marker };

    private static string[] Ids(QueueStateMachine m, long nowMs, BurrowSelector? selector = null, string queue = "q") =>
        m.BurrowListMessages("a", queue, selector ?? All(true), nowMs).Messages.Select(x => x.Id).ToArray();

    [Fact]
    public void Put_creates_appends_and_replaces_in_place()
    {
        var h = new Harness();
        Assert.Equal(ResultCode.Created, h.Run(Put("m1", "one")).Code);
        Assert.Equal(ResultCode.Created, h.Run(Put("m2")).Code);
        Assert.Equal(ResultCode.Ok, h.Run(Put("m1", "uno", hide: 30)).Code);
        Assert.Equal(["m1", "m2"], Ids(h.Machine, h.NowMs));
        var (code, m1) = h.Machine.BurrowGetMessage("a", "q", "m1", h.NowMs);
        Assert.Equal(ResultCode.Ok, code);
        Assert.Equal("uno", Encoding.UTF8.GetString(m1!.Body));
        Assert.Equal(h.NowMs / 1000 + 30, m1.HideDeadlineS);
        Assert.Equal(0, m1.TtlDeadlineS);
        // A plain re-PUT takes the command's values: visible again.
        h.Run(Put("m1", "uno"));
        Assert.Equal(0, h.Machine.BurrowGetMessage("a", "q", "m1", h.NowMs).Message!.HideDeadlineS);
    }

    [Fact]
    public void Not_found_levels()
    {
        var h = new Harness();
        Assert.Equal(ResultCode.AccountNotFound, h.Machine.BurrowGetMessage("a", "q", "m", h.NowMs).Code);
        h.Run(Put("m1", hide: 10));
        Assert.Equal(ResultCode.QueueNotFound, h.Machine.BurrowGetMessage("a", "other", "m", h.NowMs).Code);
        Assert.Equal(ResultCode.MessageNotFound, h.Machine.BurrowGetMessage("a", "q", "m", h.NowMs).Code);
        Assert.Equal(ResultCode.Ok, h.Machine.BurrowGetMessage("a", "q", "m1", h.NowMs).Code); // hidden ones are returned
        Assert.Equal(ResultCode.MessageNotFound, h.Machine.BurrowListMessages("a", "q", All(), h.NowMs).Code); // only a hidden one
        Assert.Equal(ResultCode.AccountNotFound, h.Run(new BurrowDeleteMessage { Project = "b", Queue = "q", MessageId = "m1" }).Code);
        Assert.Equal(ResultCode.QueueNotFound, h.Run(new BurrowUpdateMessages { Project = "a", Queue = "x", Selector = All() }).Code);
        Assert.Equal(ResultCode.MessageNotFound, h.Run(new BurrowDeleteMessages { Project = "a", Queue = "q", Selector = All() }).Code);
        Assert.Equal(ResultCode.MessageNotFound, h.Run(new BurrowUpdateMessage { Project = "a", Queue = "q", MessageId = "zz" }).Code);
    }

    [Fact]
    public void Selection_by_limit_marker_and_match_hidden()
    {
        var h = new Harness();
        foreach (var id in new[] { "m1", "m2", "m3", "m4" })
            h.Run(Put(id, hide: id == "m2" ? 60 : 0));
        Assert.Equal(["m1", "m3", "m4"], Ids(h.Machine, h.NowMs, All()));
        Assert.Equal(["m1", "m2"], Ids(h.Machine, h.NowMs, All(hidden: true, limit: 2)));
        Assert.Equal(["m3", "m4"], Ids(h.Machine, h.NowMs, All(marker: "m2"))); // a hidden marker works
        Assert.Equal(["m1", "m3", "m4"], Ids(h.Machine, h.NowMs, All(marker: "nope", limit: 0)));
        Assert.Equal(ResultCode.MessageNotFound, h.Machine.BurrowListMessages("a", "q", All(marker: "m4"), h.NowMs).Code);
    }

    [Fact]
    public void Update_matching_is_an_atomic_claim_and_delete_matching_a_pop()
    {
        var h = new Harness();
        foreach (var id in new[] { "m1", "m2", "m3" })
            h.Run(Put(id));
        var claimed = h.Run<BurrowMessagesResult>(new BurrowUpdateMessages { Project = "a", Queue = "q", Selector = All(limit: 2), HideSeconds = 60 });
        Assert.Equal(["m1", "m2"], claimed.Messages.Select(m => m.Id));
        Assert.All(claimed.Messages, m => Assert.Equal(h.NowMs / 1000 + 60, m.HideDeadlineS));
        var next = h.Run<BurrowMessagesResult>(new BurrowUpdateMessages { Project = "a", Queue = "q", Selector = All(limit: 2), HideSeconds = 60 });
        Assert.Equal(["m3"], next.Messages.Select(m => m.Id));
        Assert.Equal(ResultCode.MessageNotFound, h.Run(new BurrowUpdateMessages { Project = "a", Queue = "q", Selector = All(), HideSeconds = 60 }).Code);
        // Hidden messages come back when the deadline passes (filtered by now, then purged by Expire).
        h.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(["m1", "m2", "m3"], Ids(h.Machine, h.NowMs, All()));
        h.Run(new Expire());
        Assert.Equal(0, h.Machine.BurrowGetMessage("a", "q", "m1", h.NowMs).Message!.HideDeadlineS);
        var popped = h.Run<BurrowMessagesResult>(new BurrowDeleteMessages { Project = "a", Queue = "q", Selector = All(limit: 2) });
        Assert.Equal(["m1", "m2"], popped.Messages.Select(m => m.Id));
        Assert.Equal(["m3"], Ids(h.Machine, h.NowMs));
        var single = h.Run<BurrowMessagesResult>(new BurrowUpdateMessage { Project = "a", Queue = "q", MessageId = "m3", TtlSeconds = 5 });
        Assert.Equal(h.NowMs / 1000 + 5, Assert.Single(single.Messages).TtlDeadlineS);
    }

    [Fact]
    public void Empty_queues_and_accounts_vanish_and_come_back_at_the_end()
    {
        var h = new Harness();
        h.Run(Put("m", account: "a1"));
        h.Advance(TimeSpan.FromSeconds(1));
        h.Run(Put("m", account: "a2"));
        h.Run(Put("m", account: "a2", queue: "q2"));
        Assert.Equal(["a1", "a2"], h.Machine.BurrowListAccounts(h.NowMs).Select(a => a.Name));
        Assert.Equal(ResultCode.Ok, h.Run(new BurrowDeleteMessage { Project = "a1", Queue = "q", MessageId = "m" }).Code);
        Assert.Equal(["a2"], h.Machine.BurrowListAccounts(h.NowMs).Select(a => a.Name));
        h.Run(Put("m", account: "a1"));
        var accounts = h.Machine.BurrowListAccounts(h.NowMs);
        Assert.Equal(["a2", "a1"], accounts.Select(a => a.Name));
        Assert.True(accounts[0].CreatedIndex < accounts[1].CreatedIndex);
        Assert.Equal(["q", "q2"], h.Machine.BurrowListQueues("a2", h.NowMs).Select(q => q.Name));
        // Deleting an account's first queue does not move the account: it was not re-created.
        h.Run(new BurrowPutMessage { Project = "a0", Queue = "x", MessageId = "m", Body = [] });
        h.Run(new BurrowPutMessage { Project = "a0", Queue = "y", MessageId = "m", Body = [] });
        h.Run(new BurrowPutMessage { Project = "a3", Queue = "x", MessageId = "m", Body = [] });
        h.Run(new BurrowDeleteQueue { Project = "a0", Queue = "x" });
        Assert.Equal(["a2", "a1", "a0", "a3"], h.Machine.BurrowListAccounts(h.NowMs).Select(a => a.Name));
        h.Run(new BurrowDeleteAccount { Project = "a0" });
        h.Run(new BurrowDeleteAccount { Project = "a3" });
        Assert.Equal(ResultCode.Ok, h.Run(new BurrowDeleteQueue { Project = "a2", Queue = "q" }).Code);
        Assert.Equal(["q2"], h.Machine.BurrowListQueues("a2", h.NowMs).Select(q => q.Name));
        Assert.Equal(ResultCode.Ok, h.Run(new BurrowDeleteAccount { Project = "a2" }).Code);
        Assert.Equal(ResultCode.AccountNotFound, h.Run(new BurrowDeleteAccount { Project = "a2" }).Code);
        Assert.Equal(["a1"], h.Machine.BurrowListAccounts(h.NowMs).Select(a => a.Name));
    }

    [Fact]
    public void Ttl_expiry_removes_messages_queues_and_accounts()
    {
        var h = new Harness { NowMs = 1_700_000_000_700 };
        h.Run(Put("m1", ttl: 1));
        h.Run(Put("m2", ttl: 0));
        h.Run(Put("m3", ttl: 2, account: "b"));
        // Deadline = floor(now_s) + 1: gone 300 ms later, at the next whole second.
        Assert.Equal(1_700_000_001_000, h.Machine.NextDeadlineMs);
        h.NowMs = 1_700_000_001_000;
        Assert.Equal(["m2"], Ids(h.Machine, h.NowMs));
        h.NowMs += 1000;
        Assert.Equal(ResultCode.AccountNotFound, h.Machine.BurrowListMessages("b", "q", All(), h.NowMs).Code);
        Assert.Equal(["a"], h.Machine.BurrowListAccounts(h.NowMs).Select(a => a.Name));
        h.Run(new Expire());
        Assert.Null(h.Machine.NextDeadlineMs);
        Assert.Equal(["a"], h.Machine.BurrowListAccounts(h.NowMs).Select(a => a.Name));
        h.Run(new BurrowDeleteMessage { Project = "a", Queue = "q", MessageId = "m2" });
        Assert.Empty(h.Machine.BurrowListAccounts(h.NowMs));
    }

    [Fact]
    public void Burrow_and_zaqar_namespaces_do_not_mix()
    {
        var h = new Harness();
        h.Run(Put("m"));
        Assert.Null(h.Machine.GetQueue("a", "q"));
        h.Post("q", "zaqar");
        Assert.Equal(ResultCode.AccountNotFound, h.Machine.BurrowListMessages("p", "q", All(), h.NowMs).Code);
    }

    [Fact]
    public void Huge_ttl_and_hide_are_capped_instead_of_overflowing()
    {
        var h = new Harness();
        h.Run(Put("m", ttl: long.MaxValue, hide: long.MaxValue / 2));
        h.Run(new Expire());
        var (code, m) = h.Machine.BurrowGetMessage("a", "q", "m", h.NowMs);
        Assert.Equal(ResultCode.Ok, code);
        Assert.Equal(h.NowMs / 1000 + 10_000_000_000, m!.TtlDeadlineS);
        Assert.Equal(h.NowMs / 1000 + 10_000_000_000, m.HideDeadlineS);
    }

    [Fact]
    public void A_retried_delete_matching_answers_the_first_result_and_deletes_nothing_more()
    {
        var h = new Harness();
        foreach (var id in new[] { "m1", "m2", "m3" })
            h.Run(Put(id, body: id));
        var rid = h.NextRequestId();
        var delete = new BurrowDeleteMessages { Project = "a", Queue = "q", Selector = All(limit: 2) };
        var first = h.Run<BurrowMessagesResult>(delete, rid);
        var retry = h.Run<BurrowMessagesResult>(delete, rid);
        Assert.Equal(["m1", "m2"], retry.Messages.Select(m => m.Id));
        Assert.Equal(first.Messages.Select(m => m.Id), retry.Messages.Select(m => m.Id));
        Assert.Equal(["m3"], Ids(h.Machine, h.NowMs));
        // A huge result is remembered without its messages; the retry still deletes nothing.
        var big = new byte[600_000];
        h.Run(Put("b1", "x"));
        h.Run(new BurrowPutMessage { Project = "a", Queue = "q", MessageId = "b2", Body = big });
        h.Run(new BurrowPutMessage { Project = "a", Queue = "q", MessageId = "b3", Body = big });
        var rid2 = h.NextRequestId();
        var all = new BurrowDeleteMessages { Project = "a", Queue = "q", Selector = All(marker: "m3") };
        Assert.Equal(3, h.Run<BurrowMessagesResult>(all, rid2).Messages.Length);
        h.Run(Put("after"));
        var again = h.Run<BurrowMessagesResult>(all, rid2);
        Assert.Equal(ResultCode.Ok, again.Code);
        Assert.Empty(again.Messages);
        Assert.Equal(["m3", "after"], Ids(h.Machine, h.NowMs));
    }
}
