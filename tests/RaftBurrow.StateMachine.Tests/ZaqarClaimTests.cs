using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;

namespace RaftBurrow.StateMachine.Tests;

public class ZaqarClaimTests
{
    [Fact]
    public void Claim_takes_oldest_visible_unclaimed_and_extends_message_life()
    {
        var h = new Harness();
        h.Run(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { TtlSeconds = 60, BodyJson = "a"u8.ToArray() }, new NewMessage { TtlSeconds = 3600, BodyJson = "b"u8.ToArray() }, new NewMessage { DelaySeconds = 10, BodyJson = "c"u8.ToArray() }] });
        var result = h.Claim("q", 5, ttl: 100, grace: 50);
        Assert.Equal(ResultCode.Created, result.Code);
        var claim = result.Claim!;
        Assert.Equal("000000030000000000000004", claim.Id);
        Assert.Equal(["a", "b"], claim.Messages.Select(Harness.Body));
        Assert.Equal(h.NowMs + 100_000, claim.ExpiresMs);
        Assert.Equal(h.NowMs + 150_000, claim.Messages[0].ExpiresMs); // extended to claim expiry + grace
        Assert.Equal(150, claim.Messages[0].TtlSeconds);
        Assert.Equal(h.NowMs + 3_600_000, claim.Messages[1].ExpiresMs); // already lived longer
        Assert.All(claim.Messages, m => Assert.Equal(1, m.ClaimCount));
        Assert.All(claim.Messages, m => Assert.Equal(claim.Id, m.ClaimId));
        Assert.Equal(ResultCode.NoContent, h.Claim("q", 5).Code); // c is delayed
        Assert.Equal(ResultCode.QueueNotFound, h.Claim("nope", 5).Code);
        Assert.Equal(claim.Id, h.Machine.GetClaim("p", "q", claim.Id, h.NowMs)!.Id);
        Assert.Null(h.Machine.GetClaim("p", "other", claim.Id, h.NowMs));
    }

    [Fact]
    public void Renew_extends_claim_and_messages_and_expired_claim_frees_messages()
    {
        var h = new Harness();
        h.Post("q", "a");
        var claim = h.Claim("q", 1, ttl: 60, grace: 60).Claim!;
        h.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(ResultCode.Ok, h.Run(new UpdateClaim { Project = "p", Queue = "q", ClaimId = claim.Id, TtlSeconds = 300 }).Code);
        var renewed = h.Machine.GetClaim("p", "q", claim.Id, h.NowMs)!;
        Assert.Equal(h.NowMs + 300_000, renewed.ExpiresMs);
        Assert.Equal(60, renewed.GraceSeconds);
        h.Advance(TimeSpan.FromSeconds(299));
        Assert.NotNull(h.Machine.GetClaim("p", "q", claim.Id, h.NowMs));
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(h.Machine.GetClaim("p", "q", claim.Id, h.NowMs));
        Assert.Null(h.List("q")[0].ClaimId);
        Assert.Equal(ResultCode.ClaimNotFound, h.Run(new UpdateClaim { Project = "p", Queue = "q", ClaimId = claim.Id, TtlSeconds = 300 }).Code);
        Assert.Equal(2, h.Claim("q", 1).Claim!.Messages[0].ClaimCount);
    }

    [Fact]
    public void Release_keeps_strict_fifo()
    {
        var h = new Harness();
        h.Post("q", "a", "b", "c");
        var first = h.Claim("q", 2).Claim!;
        var second = h.Claim("q", 2).Claim!;
        Assert.Equal(["c"], second.Messages.Select(Harness.Body));
        Assert.Equal(ResultCode.Ok, h.Run(new ReleaseClaim { Project = "p", Queue = "q", ClaimId = first.Id }).Code);
        Assert.Equal(ResultCode.Ok, h.Run(new ReleaseClaim { Project = "p", Queue = "q", ClaimId = first.Id }).Code); // idempotent
        Assert.Equal(["a", "b"], h.Claim("q", 5).Claim!.Messages.Select(Harness.Body));
        Assert.Equal(["a", "b", "c"], h.List("q").Select(Harness.Body));
    }

    [Fact]
    public void Max_claim_count_moves_messages_to_the_dead_letter_outbox()
    {
        var h = new Harness();
        h.Run(new CreateQueue { Project = "p", Queue = "q", MetadataJson = """{"_max_claim_count":2,"_dead_letter_queue":"dlq","_dead_letter_queue_messages_ttl":999}"""u8.ToArray() });
        var ids = h.Post("q", "a", "b");
        for (var round = 1; round <= 2; round++)
        {
            var claim = h.Claim("q", 1).Claim!;
            Assert.Equal(round, claim.Messages[0].ClaimCount);
            h.Run(new ReleaseClaim { Project = "p", Queue = "q", ClaimId = claim.Id });
        }
        // Third claim: "a" has been claimed twice already → moved; "b" is claimed instead.
        var third = h.Claim("q", 1);
        Assert.Equal(ResultCode.NoContent, third.Code);
        var letters = h.Machine.PendingDeadLetters(10);
        var letter = Assert.Single(letters);
        Assert.Equal(("p", "q", "dlq", 999), (letter.Project, letter.SourceQueue, letter.DeadLetterQueue, letter.DeadLetterTtlSeconds));
        Assert.Equal(ids[0], letter.Message.Id);
        Assert.Equal(2, letter.Message.ClaimCount);
        Assert.Equal(["b"], h.List("q").Select(Harness.Body));
        Assert.Equal(["b"], h.Claim("q", 1).Claim!.Messages.Select(Harness.Body));
        h.Run(new CompleteDeadLetters { MessageIds = [ids[0]] });
        Assert.Empty(h.Machine.PendingDeadLetters(10));
    }

    [Fact]
    public void Claiming_without_dead_letter_queue_just_counts()
    {
        var h = new Harness();
        h.Run(new CreateQueue { Project = "p", Queue = "q", MetadataJson = """{"_max_claim_count":1}"""u8.ToArray() });
        h.Post("q", "a");
        for (var round = 1; round <= 3; round++)
        {
            var claim = h.Claim("q", 1).Claim!;
            Assert.Equal(round, claim.Messages[0].ClaimCount);
            h.Run(new ReleaseClaim { Project = "p", Queue = "q", ClaimId = claim.Id });
        }
        Assert.Empty(h.Machine.PendingDeadLetters(10));
    }

    [Fact]
    public void A_retried_claim_answers_the_same_claim_as_it_is_now()
    {
        var h = new Harness();
        var ids = h.Post("q", "a", "b");
        var rid = h.NextRequestId();
        var claim = new CreateClaim { Project = "p", Queue = "q", Limit = 2, TtlSeconds = 60, GraceSeconds = 60 };
        var first = h.Run<ClaimResult>(claim, rid).Claim!;
        h.Delete("q", ids[0], first.Id);
        var retry = h.Run<ClaimResult>(claim, rid);
        Assert.Equal(ResultCode.Created, retry.Code);
        Assert.Equal(first.Id, retry.Claim!.Id);
        Assert.Equal([ids[1]], retry.Claim.Messages.Select(m => m.Id));
        var copy = SnapshotTests.RoundTrip(h.Machine);
        Assert.Equal(first.Id, copy.ApplyCommand(h.Index + 1, h.NowMs, rid, claim) is ClaimResult { Claim: { } c } ? c.Id : null);
        h.Run(new ReleaseClaim { Project = "p", Queue = "q", ClaimId = first.Id });
        var gone = h.Run<ClaimResult>(claim, rid);
        Assert.Equal(ResultCode.NoContent, gone.Code);
        Assert.Null(gone.Claim);
        Assert.Null(Assert.Single(h.List("q")).ClaimId); // the retries claimed nothing new
    }
}
