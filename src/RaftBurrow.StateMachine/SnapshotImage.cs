using MessagePack;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

/// <summary>
/// A frozen copy of a <see cref="QueueStateMachine"/>'s replicated state at one applied index,
/// taken by <see cref="QueueStateMachine.CaptureSnapshot"/>, that can be serialized on another thread
/// while the machine goes on applying entries.
/// </summary>
/// <remarks>
/// <para>Why: serializing the whole state takes time in proportion to it (about 0.8 s per million
/// messages), and the owner must not apply entries meanwhile. Capturing a Zaqar queue copies only
/// the references in its message list (a memory copy, a few nanoseconds per message) and its live
/// count; the messages' mutable fields are read when the image is written, and the machine saves a
/// message's fields for the image before it first changes them (copy-on-write, see
/// <see cref="SnapshotEpochs"/>). Other records (claims, subscriptions, dedup entries, the outbox,
/// Burrow messages: few, or cheap to copy) have their small fields copied at capture. The bytes of
/// message bodies are not copied: the image points into the machine's body slabs, and the machine
/// keeps every slab the image can see from being reused until the image is disposed (see
/// <see cref="BodyStore"/>). Every other array the image holds (metadata, options, Burrow bodies)
/// is replaced, never written to, when the state changes.</para>
/// <para>Threading: <see cref="WriteTo"/> may run on any thread, concurrently with the machine's
/// apply. <see cref="Dispose"/> releases the slabs and ends the copy-on-write; call it once the
/// image is written (or dropped): until then every message the machine changes leaves a saved copy
/// behind.
/// The serialized bytes are exactly those of <see cref="QueueStateMachine.WriteSnapshot"/> at the
/// captured index (that method is this one's capture and write in a row).</para>
/// </remarks>
public sealed class SnapshotImage : ISnapshotImage
{
    private readonly long _clockMs;
    private readonly long _seq;
    private readonly long _outboxSeq;
    private readonly int _partitionId;
    private readonly ZaqarQueueImage[] _zaqarQueues;
    private readonly BurrowAccountImage[] _burrowAccounts;
    private readonly DedupEntry[] _dedup;
    private readonly KeyValuePair<long, DeadLetterView>[] _outbox;
    private readonly SnapshotEpochs _epochs;
    private readonly MessageCopies _copies;
    private BodyStore? _pinned;

    /// <summary>Called by the machine at the end of a capture (never concurrently with apply): opens the copy-on-write at once, so no mutation after the capture goes unsaved.</summary>
    internal SnapshotImage(long appliedIndex, long clockMs, long seq, long outboxSeq, int partitionId,
        ZaqarQueueImage[] zaqarQueues, BurrowAccountImage[] burrowAccounts, DedupEntry[] dedup,
        KeyValuePair<long, DeadLetterView>[] outbox, BodyStore pinned, SnapshotEpochs epochs)
    {
        _epochs = epochs;
        _copies = epochs.Open();
        AppliedIndex = appliedIndex;
        _clockMs = clockMs;
        _seq = seq;
        _outboxSeq = outboxSeq;
        _partitionId = partitionId;
        _zaqarQueues = zaqarQueues;
        _burrowAccounts = burrowAccounts;
        _dedup = dedup;
        _outbox = outbox;
        _pinned = pinned;
    }

    /// <summary>The applied index the image was captured at.</summary>
    public long AppliedIndex { get; }

    /// <summary>Number of Zaqar and Burrow messages in the image.</summary>
    public long MessageCount
    {
        get
        {
            long count = 0;
            foreach (var queue in _zaqarQueues)
                count += queue.LiveCount;
            foreach (var account in _burrowAccounts)
            {
                foreach (var queue in account.Queues)
                    count += queue.Messages.Length;
            }
            return count;
        }
    }

    /// <summary>Writes the snapshot (format <see cref="QueueStateMachine.SnapshotVersion"/>) to <paramref name="destination"/>.</summary>
    /// <exception cref="ObjectDisposedException">The image was disposed: its body bytes may be gone.</exception>
    public void WriteTo(Stream destination)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _pinned) is null, this);
        destination.WriteByte(QueueStateMachine.SnapshotVersion);
        using var frames = new FrameWriter(destination);
        var w = new MessagePackWriter(frames);
        w.WriteArrayHeader(6);
        w.Write(QueueStateMachine.TagHeader);
        w.Write(AppliedIndex);
        w.Write(_clockMs);
        w.Write(_seq);
        w.Write(_outboxSeq);
        w.Write(_partitionId);
        EndRecord(ref w, frames);

        foreach (var queue in _zaqarQueues)
            WriteZaqarQueue(ref w, frames, queue);
        foreach (var account in _burrowAccounts)
        {
            w.WriteArrayHeader(4);
            w.Write(QueueStateMachine.TagBurrowAccount);
            w.Write(account.Name);
            w.Write(account.CreatedMs);
            w.Write(account.CreatedIndex);
            EndRecord(ref w, frames);
            foreach (var queue in account.Queues)
                WriteBurrowQueue(ref w, frames, queue);
        }
        foreach (var entry in _dedup)
            WriteDedup(ref w, frames, entry);
        foreach (var (seq, letter) in _outbox)
        {
            w.WriteArrayHeader(3);
            w.Write(QueueStateMachine.TagDeadLetter);
            w.Write(seq);
            w.Write(MessagePackSerializer.Serialize(letter, QueueStateMachine.ViewOptions));
            EndRecord(ref w, frames);
        }
        w.Flush();
        frames.Finish();
    }

    /// <summary>Messages the machine changed since the capture and saved a copy of for this image (tests, diagnostics).</summary>
    internal int SavedMessageCount => _copies.SavedCount;

    /// <summary>Lets the machine reuse the body slabs this image pinned and stop saving copies for it. Idempotent; any thread.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _pinned, null) is not { } pinned)
            return;
        _epochs.Close(_copies);
        pinned.Unpin();
    }

    private static void WriteGuid(ref MessagePackWriter w, Guid value)
    {
        w.WriteBinHeader(16);
        value.TryWriteBytes(w.GetSpan(16));
        w.Advance(16);
    }

    private static void EndRecord(ref MessagePackWriter w, FrameWriter frames)
    {
        w.Flush();
        frames.MaybeEmit();
    }

    private void WriteZaqarQueue(ref MessagePackWriter w, FrameWriter frames, ZaqarQueueImage queue)
    {
        w.WriteArrayHeader(5);
        w.Write(QueueStateMachine.TagZaqarQueue);
        w.Write(queue.Project);
        w.Write(queue.Name);
        w.Write(queue.CreatedMs);
        w.Write(queue.MetadataJson);
        EndRecord(ref w, frames);
        foreach (ref readonly var claim in queue.Claims.AsSpan())
        {
            w.WriteArrayHeader(6);
            w.Write(QueueStateMachine.TagClaim);
            w.Write(claim.Seq);
            w.Write(claim.CreatedMs);
            w.Write(claim.TtlSeconds);
            w.Write(claim.GraceSeconds);
            w.Write(claim.ExpiresMs);
            EndRecord(ref w, frames);
        }
        var live = 0;
        foreach (var message in queue.Messages)
        {
            // The mutable fields as of capture (the machine may be changing them right now).
            var m = _copies.Read(message);
            if (m.Removed)
                continue; // a tombstone at capture
            live++;
            w.WriteArrayHeader(10);
            w.Write(QueueStateMachine.TagMessage);
            // Fields that never change after the message is created come from the message itself.
            w.Write(message.Seq);
            w.Write(message.CreatedMs);
            w.Write(m.TtlSeconds);
            w.Write(m.ExpiresMs);
            w.Write(message.VisibleAtMs);
            w.Write(m.BodySlab is null ? default : m.BodySlab.Bytes.AsSpan(m.BodyOffset, message.BodyLength));
            WriteGuid(ref w, message.ClientId);
            w.Write(m.ClaimSeq);
            w.Write(m.ClaimCount);
            // Flushing per record is cheap; emitting a frame happens only once per ~1 MiB.
            EndRecord(ref w, frames);
        }
        // The list's count and its tombstones are two records of the same fact; if they disagree the
        // state (or the copy-on-write) is broken, and a snapshot of it must not be published.
        if (live != queue.LiveCount)
            throw new InvalidOperationException($"Queue {queue.Project}/{queue.Name}: {live} live messages written, but the list counted {queue.LiveCount} at capture.");
        foreach (ref readonly var sub in queue.Subscriptions.AsSpan())
        {
            w.WriteArrayHeader(8);
            w.Write(QueueStateMachine.TagSubscription);
            w.Write(sub.Seq);
            w.Write(sub.Subscriber);
            w.Write(sub.CreatedMs);
            w.Write(sub.TtlSeconds);
            w.Write(sub.ExpiresMs);
            w.Write(sub.OptionsJson);
            w.Write(sub.Confirmed);
            EndRecord(ref w, frames);
        }
    }

    private static void WriteBurrowQueue(ref MessagePackWriter w, FrameWriter frames, BurrowQueueImage queue)
    {
        w.WriteArrayHeader(4);
        w.Write(QueueStateMachine.TagBurrowQueue);
        w.Write(queue.Name);
        w.Write(queue.CreatedMs);
        w.Write(queue.CreatedIndex);
        EndRecord(ref w, frames);
        foreach (ref readonly var m in queue.Messages.AsSpan())
        {
            w.WriteArrayHeader(6);
            w.Write(QueueStateMachine.TagBurrowMessage);
            w.Write(m.Seq);
            w.Write(m.Id);
            w.Write(m.Body);
            w.Write(m.TtlDeadlineS);
            w.Write(m.HideDeadlineS);
            EndRecord(ref w, frames);
        }
    }

    private static void WriteDedup(ref MessagePackWriter w, FrameWriter frames, in DedupEntry entry)
    {
        w.WriteArrayHeader(entry.Kind == DedupKind.Object ? 6 : 9);
        w.Write(QueueStateMachine.TagDedup);
        WriteGuid(ref w, entry.RequestId);
        w.Write(entry.Key);
        w.Write(entry.AtMs);
        w.Write((byte)entry.Kind);
        if (entry.Kind == DedupKind.Object)
        {
            w.Write(CommandCodec.EncodeResult(entry.Result!));
        }
        else
        {
            w.Write((byte)entry.Code);
            w.Write(entry.AppliedAtMs);
            w.Write(entry.PostFirstSeq);
            w.Write(entry.PostCount);
        }
        EndRecord(ref w, frames);
    }

    /// <summary>Captures the replicated state of a machine (called by the machine, on its applying thread).</summary>
    internal static ZaqarQueueImage CaptureQueue(ZaqarQueue queue)
    {
        var claims = new ClaimImage[queue.Claims.Count];
        var i = 0;
        foreach (var claim in queue.Claims.Values)
            claims[i++] = new ClaimImage(claim.Seq, claim.CreatedMs, claim.TtlSeconds, claim.GraceSeconds, claim.ExpiresMs);

        // References only (tombstones included): the messages' fields are read at write time.
        var messages = queue.Messages.CopySlots();

        var subscriptions = new SubscriptionImage[queue.Subscriptions.Count];
        i = 0;
        foreach (var sub in queue.Subscriptions.Values)
            subscriptions[i++] = new SubscriptionImage(sub.Seq, sub.Subscriber, sub.CreatedMs, sub.TtlSeconds, sub.ExpiresMs, sub.OptionsJson, sub.Confirmed);

        return new ZaqarQueueImage(queue.Project, queue.Name, queue.CreatedMs, queue.MetadataJson, claims, messages,
            queue.Messages.LiveCount, subscriptions);
    }

    /// <summary>Captures a Burrow account with its queues and their live messages.</summary>
    internal static BurrowAccountImage CaptureAccount(BurrowAccount account)
    {
        var queues = new BurrowQueueImage[account.Queues.Count];
        var q = 0;
        foreach (var queue in account.Queues.Values)
        {
            var list = queue.Messages;
            var messages = new BurrowMessageImage[list.LiveCount];
            var i = 0;
            for (var slot = list.Start; slot < list.End; slot++)
            {
                var m = list.At(slot);
                if (!m.Removed)
                    messages[i++] = new BurrowMessageImage(m.Seq, m.Id, m.Body, m.TtlDeadlineS, m.HideDeadlineS);
            }
            if (i != messages.Length)
                throw new InvalidOperationException($"Burrow queue {account.Name}/{queue.Name}: {i} live messages, but the list counts {messages.Length}.");
            queues[q++] = new BurrowQueueImage(queue.Name, queue.CreatedMs, queue.CreatedIndex, messages);
        }
        return new BurrowAccountImage(account.Name, account.CreatedMs, account.CreatedIndex, queues);
    }
}

/// <summary>A Zaqar queue as captured: <see cref="Messages"/> is its message list's slots at capture,
/// tombstones included, of which <see cref="LiveCount"/> were live.</summary>
internal sealed record ZaqarQueueImage(string Project, string Name, long CreatedMs, byte[] MetadataJson,
    ClaimImage[] Claims, ZaqarMessage[] Messages, int LiveCount, SubscriptionImage[] Subscriptions);

internal readonly record struct ClaimImage(long Seq, long CreatedMs, int TtlSeconds, int GraceSeconds, long ExpiresMs);

internal readonly record struct SubscriptionImage(long Seq, string Subscriber, long CreatedMs, int TtlSeconds, long ExpiresMs,
    byte[] OptionsJson, bool Confirmed);

internal sealed record BurrowAccountImage(string Name, long CreatedMs, long CreatedIndex, BurrowQueueImage[] Queues);

internal sealed record BurrowQueueImage(string Name, long CreatedMs, long CreatedIndex, BurrowMessageImage[] Messages);

internal readonly record struct BurrowMessageImage(long Seq, string Id, byte[] Body, long TtlDeadlineS, long HideDeadlineS);
