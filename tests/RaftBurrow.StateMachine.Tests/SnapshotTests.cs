using System.Text;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;

namespace RaftBurrow.StateMachine.Tests;

public class SnapshotTests
{
    internal static Harness Populated()
    {
        var h = new Harness();
        h.Run(new CreateQueue { Project = "p", Queue = "dlq-src", MetadataJson = """{"_max_claim_count":1,"_dead_letter_queue":"dlq"}"""u8.ToArray() });
        h.Post("dlq-src", "dead");
        var c = h.Claim("dlq-src", 1).Claim!;
        h.Run(new ReleaseClaim { Project = "p", Queue = "dlq-src", ClaimId = c.Id });
        h.Claim("dlq-src", 1);
        h.Post("q", "a", "b", "c");
        h.Run(new PostMessages { Project = "p", Queue = "q", ClientId = Guid.Parse("11111111-2222-3333-4444-555555555555"), IdempotencyKey = "k", Messages = [new NewMessage { DelaySeconds = 30, BodyJson = "{}"u8.ToArray() }] });
        h.Claim("q", 2, ttl: 100, grace: 70);
        h.Run(new CreateSubscription { Project = "p", Queue = "q", Subscriber = "http://s", TtlSeconds = 500, OptionsJson = """{"o":1}"""u8.ToArray() });
        h.Run(new BurrowPutMessage { Project = "acct", Queue = "bq", MessageId = "m1", Body = "hello"u8.ToArray(), TtlSeconds = 100, HideSeconds = 10 });
        h.Run(new BurrowPutMessage { Project = "acct", Queue = "bq2", MessageId = "m2", Body = [] });
        h.Run(new DeleteQueue { Project = "p", Queue = "none" });
        return h;
    }

    internal static QueueStateMachine RoundTrip(QueueStateMachine source)
    {
        using var stream = new MemoryStream();
        source.WriteSnapshot(stream);
        stream.Position = 0;
        var copy = new QueueStateMachine(source.Options);
        copy.RestoreSnapshot(stream);
        return copy;
    }

    [Fact]
    public void Restore_yields_the_same_state_hash_and_answers()
    {
        var h = Populated();
        var copy = RoundTrip(h.Machine);
        Assert.Equal(h.Machine.StateHash(), copy.StateHash());
        Assert.Equal(h.Machine.AppliedIndex, copy.AppliedIndex);
        Assert.Equal(h.Machine.NextDeadlineMs, copy.NextDeadlineMs);
        var opts = new ListMessagesOptions { Echo = true, IncludeClaimed = true, IncludeDelayed = true };
        Assert.Equal(
            h.Machine.ListMessages("p", "q", opts, h.NowMs)!.Messages.Select(m => (m.Id, m.ClaimId, m.ClaimCount, m.ExpiresMs, Encoding.UTF8.GetString(m.BodyJson))),
            copy.ListMessages("p", "q", opts, h.NowMs)!.Messages.Select(m => (m.Id, m.ClaimId, m.ClaimCount, m.ExpiresMs, Encoding.UTF8.GetString(m.BodyJson))));
        Assert.Equal(h.Machine.PendingDeadLetters(10).Select(d => d.Message.Id), copy.PendingDeadLetters(10).Select(d => d.Message.Id));
        Assert.Equal(h.Machine.BurrowListAccounts(h.NowMs), copy.BurrowListAccounts(h.NowMs));
        Assert.Equal(h.Machine.AllSubscriptions(h.NowMs).Select(s => s.Subscription.Id), copy.AllSubscriptions(h.NowMs).Select(s => s.Subscription.Id));
    }

    [Fact]
    public void Ids_keep_counting_and_dedup_survives_restore()
    {
        var h = Populated();
        var copy = RoundTrip(h.Machine);
        var post = new PostMessages { Project = "p", Queue = "q", IdempotencyKey = "k", Messages = [new NewMessage { BodyJson = "1"u8.ToArray() }] };
        var a = (PostMessagesResult)h.Machine.ApplyCommand(h.Index + 1, h.NowMs, Guid.Empty, post);
        var b = (PostMessagesResult)copy.ApplyCommand(h.Index + 1, h.NowMs, Guid.Empty, post);
        Assert.Equal(a.MessageIds, b.MessageIds); // the key was remembered: the first post's id
        var fresh = post with { IdempotencyKey = null };
        var c = (PostMessagesResult)h.Machine.ApplyCommand(h.Index + 2, h.NowMs, Guid.Empty, fresh);
        var d = (PostMessagesResult)copy.ApplyCommand(h.Index + 2, h.NowMs, Guid.Empty, fresh);
        Assert.Equal(c.MessageIds, d.MessageIds);
        Assert.Equal(h.Machine.StateHash(), copy.StateHash());
    }

    [Fact]
    public void Newer_versions_and_other_partitions_are_rejected()
    {
        var h = Populated();
        using var stream = new MemoryStream();
        h.Machine.WriteSnapshot(stream);
        var bytes = stream.ToArray();
        bytes[0] = QueueStateMachine.SnapshotVersion + 1;
        Assert.Throws<InvalidDataException>(() => new QueueStateMachine(h.Machine.Options).RestoreSnapshot(new MemoryStream(bytes)));
        Assert.Throws<InvalidDataException>(() => new QueueStateMachine(h.Machine.Options with { PartitionId = 9 }).RestoreSnapshot(new MemoryStream(stream.ToArray())));
        var truncated = new QueueStateMachine(h.Machine.Options);
        Assert.Throws<InvalidDataException>(() => truncated.RestoreSnapshot(new MemoryStream(stream.ToArray()[..^10])));
        Assert.Equal(0, truncated.AppliedIndex); // nothing half-restored
        Assert.Empty(truncated.ListQueues("p", null, 10));
        var corrupt = stream.ToArray();
        corrupt[40] ^= 0xff;
        corrupt[41] ^= 0xff;
        try
        {
            new QueueStateMachine(h.Machine.Options).RestoreSnapshot(new MemoryStream(corrupt));
        }
        catch (InvalidDataException)
        {
            // Either it still reads (a changed value) or it is rejected; never another exception.
        }
    }

    [Fact]
    public void Empty_machine_round_trips_and_restore_replaces_everything()
    {
        var empty = new QueueStateMachine(new QueueStateMachineOptions { PartitionId = 3 });
        var h = Populated();
        using var stream = new MemoryStream();
        empty.WriteSnapshot(stream);
        stream.Position = 0;
        h.Machine.RestoreSnapshot(stream);
        Assert.Equal(empty.StateHash(), h.Machine.StateHash());
        Assert.Equal(0, h.Machine.AppliedIndex);
        Assert.Null(h.Machine.NextDeadlineMs);
    }

    [Fact]
    public void Large_states_span_many_frames()
    {
        var h = new Harness(new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 });
        var body = new byte[1000];
        for (var i = 0; i < 300; i++)
            h.Run(new PostMessages { Project = "p", Queue = "q" + (i % 3), Messages = Enumerable.Range(0, 10).Select(_ => new NewMessage { BodyJson = body }).ToArray() });
        var copy = RoundTrip(h.Machine);
        Assert.Equal(h.Machine.StateHash(), copy.StateHash());
        Assert.Equal(1000, copy.GetQueueStats("p", "q0", h.NowMs)!.Total);
    }
}

public class SnapshotImageTests
{
    private static byte[] Bytes(QueueStateMachine machine)
    {
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        return stream.ToArray();
    }

    [Fact]
    public void An_image_writes_the_state_as_captured_while_the_machine_moves_on()
    {
        // Slab-sized bodies so that emptied slabs would be reused (and overwritten) by later posts
        // if the image did not pin them.
        var h = new Harness(new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 });
        var body = "\"" + new string('a', 3000) + "\"";
        for (var i = 0; i < 600; i++)
            h.Post("q" + (i % 2), body, body);
        h.Claim("q0", 5);
        h.Run(new BurrowPutMessage { Project = "acct", Queue = "bq", MessageId = "m1", Body = "one"u8.ToArray() });
        var before = Bytes(h.Machine);
        var hash = h.Machine.StateHash();

        using var image = h.Machine.CaptureSnapshot();
        Assert.Equal(h.Machine.AppliedIndex, image.AppliedIndex);
        Assert.Equal(1201, image.MessageCount);

        // Consume everything, then post different bodies: every old slab empties and new ones fill.
        foreach (var q in new[] { "q0", "q1" })
            h.Run(new DeleteQueue { Project = "p", Queue = q });
        var other = "\"" + new string('z', 3000) + "\"";
        for (var i = 0; i < 600; i++)
            h.Post("q2", other, other);
        h.Run(new BurrowPutMessage { Project = "acct", Queue = "bq", MessageId = "m1", Body = "two"u8.ToArray() });
        Assert.NotEqual(hash, h.Machine.StateHash());

        using var written = new MemoryStream();
        image.WriteTo(written);
        Assert.Equal(before, written.ToArray());

        // And the image restores to the captured state.
        written.Position = 0;
        var copy = new QueueStateMachine(h.Machine.Options);
        copy.RestoreSnapshot(written);
        Assert.Equal(hash, copy.StateHash());
    }

    [Fact]
    public void A_disposed_image_refuses_to_write()
    {
        var h = SnapshotTests.Populated();
        var image = h.Machine.CaptureSnapshot();
        image.Dispose();
        image.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => image.WriteTo(new MemoryStream()));
    }

    [Fact]
    public void Capture_matches_write_snapshot_on_a_populated_machine()
    {
        var h = SnapshotTests.Populated();
        using var image = h.Machine.CaptureSnapshot();
        using var stream = new MemoryStream();
        image.WriteTo(stream);
        Assert.Equal(Bytes(h.Machine), stream.ToArray());
    }
}

public class BodyStoreTests
{
    [Fact]
    public void Bodies_survive_slab_compaction_and_large_bodies_get_their_own_array()
    {
        var h = new Harness(new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 });
        var ids = new List<string>();
        for (var i = 0; i < 2_000; i++)
        {
            var body = Encoding.UTF8.GetBytes("\"" + i.ToString("d6") + new string('x', 10_000) + "\"");
            ids.AddRange(h.Run<PostMessagesResult>(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = body }] }).MessageIds);
        }
        var big = new byte[200_000];
        big[0] = (byte)'"';
        big[^1] = (byte)'"';
        big.AsSpan(1, big.Length - 2).Fill((byte)'b');
        var bigId = h.Run<PostMessagesResult>(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = big }] }).MessageIds[0];
        // Delete all but every 100th: dead space dominates and the store compacts.
        var keep = ids.Where((_, i) => i % 100 == 0).ToHashSet();
        h.Run(new DeleteMessages { Project = "p", Queue = "q", MessageIds = ids.Where(id => !keep.Contains(id)).ToArray() });
        h.Run(new Expire());
        var left = h.Machine.ListMessages("p", "q", new ListMessagesOptions { Limit = 100, Echo = true }, h.NowMs)!.Messages;
        Assert.Equal(21, left.Count);
        for (var i = 0; i < 20; i++)
            Assert.StartsWith("\"" + (i * 100).ToString("d6"), Encoding.UTF8.GetString(left[i].BodyJson), StringComparison.Ordinal);
        Assert.Equal(big, h.Machine.GetMessage("p", "q", bigId, h.NowMs)!.BodyJson);
        Assert.Equal(h.Machine.StateHash(), SnapshotTests.RoundTrip(h.Machine).StateHash());
    }

    [Fact]
    public void Recycled_slabs_never_mix_bodies()
    {
        var h = new Harness(new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 });
        for (var round = 0; round < 4; round++)
        {
            var ids = new List<string>();
            for (var i = 0; i < 500; i++)
            {
                var body = Encoding.UTF8.GetBytes("\"" + round + ":" + i.ToString("d6") + new string('y', 5_000) + "\"");
                ids.AddRange(h.Run<PostMessagesResult>(new PostMessages { Project = "p", Queue = "q", Messages = [new NewMessage { BodyJson = body }] }).MessageIds);
            }
            var all = h.Machine.ListMessages("p", "q", new ListMessagesOptions { Limit = 1000, Echo = true }, h.NowMs)!.Messages;
            Assert.Equal(500, all.Count);
            for (var i = 0; i < all.Count; i++)
                Assert.StartsWith("\"" + round + ":" + i.ToString("d6"), Encoding.UTF8.GetString(all[i].BodyJson), StringComparison.Ordinal);
            h.Run(new DeleteMessages { Project = "p", Queue = "q", MessageIds = [.. ids] });
        }
    }
}
