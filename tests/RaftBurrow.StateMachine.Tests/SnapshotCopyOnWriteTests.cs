using System.Text;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.StateMachine.Tests;

/// <summary>
/// A snapshot image reads Zaqar messages lazily, when it is written; the machine saves a message's
/// fields for the image before it changes them (copy-on-write, see SnapshotEpochs). These tests
/// change messages in every way the machine can after a capture and check that the image still
/// writes exactly the bytes <see cref="QueueStateMachine.WriteSnapshot"/> wrote at the captured index.
/// </summary>
public class SnapshotCopyOnWriteTests(ITestOutputHelper output)
{
    private const string Project = "p";

    private static byte[] Bytes(QueueStateMachine machine)
    {
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        return stream.ToArray();
    }

    private static byte[] Written(SnapshotImage image)
    {
        using var stream = new MemoryStream();
        image.WriteTo(stream);
        return stream.ToArray();
    }

    private static string Body(string tag, int i, int padding) => "\"" + tag + i.ToString("d6") + new string('.', padding) + "\"";

    private static string[] PostMany(Harness h, string queue, string tag, int count, int padding, int? ttlSeconds = null)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i += 10)
        {
            var messages = Enumerable.Range(i, Math.Min(10, count - i))
                .Select(j => new NewMessage { TtlSeconds = ttlSeconds, BodyJson = Encoding.UTF8.GetBytes(Body(tag, j, padding)) })
                .ToArray();
            ids.AddRange(h.Run<PostMessagesResult>(new PostMessages { Project = Project, Queue = queue, Messages = messages }).MessageIds);
        }
        return [.. ids];
    }

    private static void DeleteIds(Harness h, string queue, IEnumerable<string> ids)
    {
        foreach (var chunk in ids.Chunk(20))
            h.Run(new DeleteMessages { Project = Project, Queue = queue, MessageIds = chunk });
    }

    /// <summary>The state before the capture: applied alike to the machine under test and its twin.</summary>
    private sealed class Before
    {
        public string[] Big = [];
        public string ExpiringClaim = "", ReleasedClaim = "", UpdatedClaim = "", DeletingClaim = "";
        public string[] DeletingClaimMessages = [];
        public string[] Unclaimed = [];

        public void Apply(Harness h)
        {
            // 7,000 bodies of 3 KB fill ~21 slabs; deleting nine in ten later makes the store compact.
            Big = PostMany(h, "big", "a", 7_000, 3_000);
            PostMany(h, "c", "short", 20, 10, ttlSeconds: 60);
            Unclaimed = PostMany(h, "c", "long", 40, 10);
            // Claims taken before the capture, to be expired, released, extended and deleted through after it.
            ExpiringClaim = h.Claim("c", 5, ttl: 30, grace: 10).Claim!.Id; // holds 5 of the short-ttl messages
            ReleasedClaim = h.Claim("c", 5, ttl: 300, grace: 60).Claim!.Id;
            UpdatedClaim = h.Claim("c", 5, ttl: 300, grace: 60).Claim!.Id;
            var deleting = h.Claim("c", 5, ttl: 300, grace: 60).Claim!;
            DeletingClaim = deleting.Id;
            DeletingClaimMessages = [.. deleting.Messages.Select(m => m.Id)];
            PostMany(h, "gone", "g", 50, 100);
            PostMany(h, "purged", "u", 50, 100);
            h.Run(new CreateQueue { Project = Project, Queue = "dl", MetadataJson = """{"_max_claim_count":1,"_dead_letter_queue":"dlq"}"""u8.ToArray() });
            PostMany(h, "dl", "d", 3, 10);
            var first = h.Claim("dl", 3).Claim!;
            h.Run(new ReleaseClaim { Project = Project, Queue = "dl", ClaimId = first.Id });
            h.Run(new BurrowPutMessage { Project = "acct", Queue = "bq", MessageId = "m1", Body = "one"u8.ToArray() });
        }
    }

    /// <summary>Every kind of change to messages that existed at the capture (each goes through a different mutation site).</summary>
    private static void ChangeEverything(Harness h, Before s)
    {
        h.Claim("c", 3, ttl: 200, grace: 100); // claim: sets the claim, counts it, extends the expiry
        h.Run(new UpdateClaim { Project = Project, Queue = "c", ClaimId = s.UpdatedClaim, TtlSeconds = 1_000, GraceSeconds = 500 }); // extends the expiry only
        h.Run(new ReleaseClaim { Project = Project, Queue = "c", ClaimId = s.ReleasedClaim }); // unclaims
        Assert.Equal(ResultCode.Ok, h.Delete("c", s.DeletingClaimMessages[0], s.DeletingClaim)); // delete under claim
        Assert.Equal(ResultCode.Ok, h.Delete("c", s.Unclaimed[^1])); // plain delete
        h.Run(new PopMessages { Project = Project, Queue = "c", Limit = 2 });
        h.Claim("dl", 3); // claimed once already: moved to the dead letters
        h.Run(new DeleteQueue { Project = Project, Queue = "gone" });
        h.Run(new PurgeQueue { Project = Project, Queue = "purged" });
        h.Advance(TimeSpan.FromSeconds(45));
        h.Run(new Expire()); // the 30 s claim expires: its messages are unclaimed
        h.Advance(TimeSpan.FromSeconds(30));
        h.Run(new Expire()); // the 60 s messages expire
        // Delete nine in ten of "big": the body store compacts and moves every survivor's body.
        DeleteIds(h, "big", s.Big.Where((_, i) => i % 10 != 0));
        // Then drop the survivors too and post other bodies: the compacted slabs empty and, not
        // being pinned by the image, are reused, so an image reading a survivor's new place would
        // read these bodies instead.
        DeleteIds(h, "big", s.Big.Where((_, i) => i % 10 == 0));
        PostMany(h, "big2", "z", 3_000, 3_000);
        // New messages (not in the image) changed as well.
        h.Claim("big2", 50);
        h.Run(new BurrowPutMessage { Project = "acct", Queue = "bq", MessageId = "m1", Body = "two"u8.ToArray() });
    }

    [Fact]
    public void Bodies_are_not_compacted_while_an_image_is_open_but_are_once_it_is_disposed()
    {
        // Compaction moves every live body: with an image open, every message would get a saved copy.
        var options = new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 };
        var h = new Harness(options);
        var big = PostMany(h, "big", "a", 7_000, 3_000);
        var image = h.Machine.CaptureSnapshot();
        var held = h.Machine.BodySlabBytesHeld;
        DeleteIds(h, "big", big.Where((_, i) => i % 10 != 0)); // nine in ten: compaction is due
        Assert.Equal(held, h.Machine.BodySlabBytesHeld); // held while the image is open (it pins the slabs anyway)
        Assert.Equal(6_300, image.SavedMessageCount); // the deleted ones only, not the 700 survivors
        image.Dispose();
        h.Run(new DeleteMessages { Project = Project, Queue = "big", MessageIds = [big[1]] }); // any command (already gone: a no-op)
        Assert.True(h.Machine.BodySlabBytesHeld < held / 4, $"{h.Machine.BodySlabBytesHeld} of {held} bytes held after compaction");
    }

    [Fact]
    public void An_image_writes_the_captured_state_after_every_kind_of_change_to_its_messages()
    {
        var options = new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 };
        var h = new Harness(options);
        var twin = new Harness(options);
        var before = new Before();
        before.Apply(h);
        new Before().Apply(twin);
        Assert.Equal(twin.Index, h.Index);

        using var image = h.Machine.CaptureSnapshot();
        ChangeEverything(h, before);

        var expected = Bytes(twin.Machine);
        Assert.NotEqual(expected, Bytes(h.Machine)); // the machine did move on
        Assert.True(image.SavedMessageCount > 1_000, $"{image.SavedMessageCount} messages saved"); // the deleted ones
        Assert.Equal(expected, Written(image));
        // Writing twice gives the same bytes (the saved copies stay until the image is disposed).
        Assert.Equal(expected, Written(image));
        // And it restores to the twin's state.
        var copy = new QueueStateMachine(options);
        copy.RestoreSnapshot(new MemoryStream(Written(image)));
        Assert.Equal(twin.Machine.StateHash(), copy.StateHash());
    }

    [Fact]
    public void Several_open_images_each_write_their_own_index()
    {
        var options = new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 };
        var h = new Harness(options);
        var ids = PostMany(h, "q", "a", 200, 20);
        var first = h.Claim("q", 50, ttl: 100, grace: 10).Claim!.Id;
        var expectedA = Bytes(h.Machine);
        var a = h.Machine.CaptureSnapshot();

        h.Run(new UpdateClaim { Project = Project, Queue = "q", ClaimId = first, TtlSeconds = 500 });
        DeleteIds(h, "q", ids.Skip(100).Take(30));
        var expectedB = Bytes(h.Machine); // a capture and write in a row, with a open: a third image
        using var b = h.Machine.CaptureSnapshot();

        h.Run(new ReleaseClaim { Project = Project, Queue = "q", ClaimId = first });
        DeleteIds(h, "q", ids.Take(20));
        h.Claim("q", 100, ttl: 50, grace: 50);
        var expectedC = Bytes(h.Machine);
        using var c = h.Machine.CaptureSnapshot();
        h.Run(new PurgeQueue { Project = Project, Queue = "q" });

        Assert.Equal(expectedB, Written(b));
        Assert.Equal(expectedA, Written(a));
        a.Dispose();
        // Once disposed, an image is no longer saved for; the others still are.
        var savedByA = a.SavedMessageCount;
        PostMany(h, "q", "b", 30, 20);
        h.Claim("q", 30);
        Assert.Equal(savedByA, a.SavedMessageCount);
        Assert.Equal(expectedC, Written(c));
        Assert.Equal(expectedB, Written(b));
    }

    [Fact]
    public void Without_an_open_image_changes_save_nothing()
    {
        var h = new Harness(new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 });
        var ids = PostMany(h, "q", "a", 100, 20);
        var image = h.Machine.CaptureSnapshot();
        image.Dispose();
        h.Claim("q", 50);
        DeleteIds(h, "q", ids.Take(60));
        Assert.Equal(0, image.SavedMessageCount);
        // A later image still reads those messages as they are at its own capture.
        var expected = Bytes(h.Machine);
        using var later = h.Machine.CaptureSnapshot();
        h.Run(new PurgeQueue { Project = Project, Queue = "q" });
        Assert.Equal(expected, Written(later));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Images_written_on_other_threads_while_the_machine_applies_write_their_captured_states(int seed)
    {
        var random = new Random(seed); // the test's own randomness (the machine never sees it); seed in the name
        var h = new Harness(new QueueStateMachineOptions { PartitionId = 3, MaxMessagesPerQueue = 0 });
        var queues = new[] { "q0", "q1", "q2" };
        var live = queues.ToDictionary(q => q, q => PostMany(h, q, q, 8_000, 60 + random.Next(200)).ToList());
        var claims = queues.ToDictionary(q => q, _ => new List<string>());
        for (var round = 0; round < 12; round++)
        {
            // Odd rounds have a second image open, captured a little later and written on a thread
            // of its own (as the consensus layer's state hash runs alongside a snapshot write).
            var first = Writer.Start(Bytes(h.Machine), h.Machine.CaptureSnapshot());
            Writer? second = null;
            var steps = 0;
            bool Writing() => first.Thread.IsAlive || second?.Thread.IsAlive == true;
            // Apply while the writers run: every kind of change, to random messages.
            while (Writing() || steps < 50)
            {
                var q = queues[random.Next(queues.Length)];
                switch (random.Next(8))
                {
                    case 0:
                        if (h.Claim(q, random.Next(1, 30), ttl: random.Next(10, 200), grace: random.Next(0, 100)).Claim is { } claim)
                            claims[q].Add(claim.Id);
                        break;
                    case 1 when claims[q].Count > 0:
                        h.Run(new UpdateClaim { Project = Project, Queue = q, ClaimId = claims[q][random.Next(claims[q].Count)], TtlSeconds = random.Next(10, 400) });
                        break;
                    case 2 when claims[q].Count > 0:
                        var released = random.Next(claims[q].Count);
                        h.Run(new ReleaseClaim { Project = Project, Queue = q, ClaimId = claims[q][released] });
                        claims[q].RemoveAt(released);
                        break;
                    case 3 when live[q].Count > 0:
                        var at = random.Next(live[q].Count);
                        h.Run(new DeleteMessages { Project = Project, Queue = q, MessageIds = [.. live[q].Skip(at).Take(20)] });
                        live[q].RemoveRange(at, Math.Min(20, live[q].Count - at));
                        break;
                    case 4:
                        live[q].AddRange(PostMany(h, q, "n" + round, 10, random.Next(300)));
                        break;
                    case 5:
                        h.Advance(TimeSpan.FromSeconds(random.Next(1, 30)));
                        h.Run(new Expire());
                        break;
                    case 6 when random.Next(40) == 0:
                        h.Run(new PurgeQueue { Project = Project, Queue = q });
                        live[q].Clear();
                        claims[q].Clear();
                        break;
                    default:
                        h.Run(new PopMessages { Project = Project, Queue = q, Limit = random.Next(1, 5) });
                        break;
                }
                steps++;
                if (round % 2 == 1 && steps == 20)
                    second = Writer.Start(Bytes(h.Machine), h.Machine.CaptureSnapshot());
            }
            foreach (var writer in second is null ? [first] : new[] { first, second })
            {
                Assert.True(writer.Thread.Join(TimeSpan.FromSeconds(60)));
                output.WriteLine($"seed {seed}, round {round}: {steps} entries applied while written, {writer.Saved} messages saved");
                Assert.Null(writer.Failed);
                Assert.True(writer.Expected.AsSpan().SequenceEqual(writer.Written), $"seed {seed}, round {round}: an image differs from the state at its capture ({steps} entries applied meanwhile)");
            }
            // Refill what was consumed, so later rounds still have a large state to race against.
            foreach (var queue in queues.Where(q => live[q].Count < 4_000))
                live[queue].AddRange(PostMany(h, queue, "r" + round, 4_000, 80));
        }
    }
    /// <summary>Writes an image on a thread of its own, then disposes it there (as the consensus layer's writers do).</summary>
    private sealed class Writer
    {
        public required byte[] Expected { get; init; }

        public required Thread Thread { get; init; }

        public byte[]? Written { get; set; }

        public int Saved { get; set; }

        public Exception? Failed { get; set; }

        public static Writer Start(byte[] expected, SnapshotImage image)
        {
            Writer? writer = null;
            var thread = new Thread(() =>
            {
                try
                {
                    writer!.Written = Written(image);
                    writer.Saved = image.SavedMessageCount;
                }
                catch (Exception ex)
                {
                    writer!.Failed = ex;
                }
                finally
                {
                    image.Dispose();
                }
            });
            writer = new Writer { Expected = expected, Thread = thread };
            thread.Start();
            return writer;
        }
    }
}
