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
/// messages), and the owner must not apply entries meanwhile. Capturing copies only the small
/// mutable fields of each record (tens of nanoseconds per message); the bytes of message bodies are
/// not copied: the image points into the machine's body slabs, and the machine keeps every slab the
/// image can see from being reused until the image is disposed (see <see cref="BodyStore"/>). Every
/// other array the image holds (metadata, options, Burrow bodies) is replaced, never written to,
/// when the state changes.</para>
/// <para>Threading: <see cref="WriteTo"/> may run on any thread, concurrently with the machine's
/// apply. <see cref="Dispose"/> releases the slabs; call it once the image is written (or dropped).
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
    private BodyStore? _pinned;

    internal SnapshotImage(long appliedIndex, long clockMs, long seq, long outboxSeq, int partitionId,
        ZaqarQueueImage[] zaqarQueues, BurrowAccountImage[] burrowAccounts, DedupEntry[] dedup,
        KeyValuePair<long, DeadLetterView>[] outbox, BodyStore pinned)
    {
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
                count += queue.Messages.Length;
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

    /// <summary>Lets the machine reuse the body slabs this image pinned. Idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _pinned, null)?.Unpin();

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

    private static void WriteZaqarQueue(ref MessagePackWriter w, FrameWriter frames, ZaqarQueueImage queue)
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
        foreach (ref readonly var m in queue.Messages.AsSpan())
        {
            w.WriteArrayHeader(10);
            w.Write(QueueStateMachine.TagMessage);
            // Fields that never change after the message is created come from the message itself.
            var message = m.Message;
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

        var list = queue.Messages;
        var messages = new MessageImage[list.LiveCount];
        i = 0;
        for (var slot = list.Start; slot < list.End; slot++)
        {
            var m = list.At(slot);
            if (m.Removed)
                continue;
            messages[i++] = new MessageImage(m, m.TtlSeconds, m.ExpiresMs, m.BodySlab, m.BodyOffset, m.Claim?.Seq ?? 0, m.ClaimCount);
        }
        if (i != messages.Length)
            throw new InvalidOperationException($"Queue {queue.Project}/{queue.Name}: {i} live messages, but the list counts {messages.Length}.");

        var subscriptions = new SubscriptionImage[queue.Subscriptions.Count];
        i = 0;
        foreach (var sub in queue.Subscriptions.Values)
            subscriptions[i++] = new SubscriptionImage(sub.Seq, sub.Subscriber, sub.CreatedMs, sub.TtlSeconds, sub.ExpiresMs, sub.OptionsJson, sub.Confirmed);

        return new ZaqarQueueImage(queue.Project, queue.Name, queue.CreatedMs, queue.MetadataJson, claims, messages, subscriptions);
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

internal sealed record ZaqarQueueImage(string Project, string Name, long CreatedMs, byte[] MetadataJson,
    ClaimImage[] Claims, MessageImage[] Messages, SubscriptionImage[] Subscriptions);

internal readonly record struct ClaimImage(long Seq, long CreatedMs, int TtlSeconds, int GraceSeconds, long ExpiresMs);

/// <summary>
/// A message as captured: the fields that can change after it was posted (claims extend its expiry
/// and set its claim, body compaction moves its body), copied; the rest (sequence, creation, delay,
/// client id, body length: set once at creation) read from <see cref="Message"/> when written.
/// 48 bytes instead of 80 for a full copy: the image of a large queue is held while it is written.
/// </summary>
internal readonly record struct MessageImage(ZaqarMessage Message, int TtlSeconds, long ExpiresMs,
    BodySlab? BodySlab, int BodyOffset, long ClaimSeq, int ClaimCount);

internal readonly record struct SubscriptionImage(long Seq, string Subscriber, long CreatedMs, int TtlSeconds, long ExpiresMs,
    byte[] OptionsJson, bool Confirmed);

internal sealed record BurrowAccountImage(string Name, long CreatedMs, long CreatedIndex, BurrowQueueImage[] Queues);

internal sealed record BurrowQueueImage(string Name, long CreatedMs, long CreatedIndex, BurrowMessageImage[] Messages);

internal readonly record struct BurrowMessageImage(long Seq, string Id, byte[] Body, long TtlDeadlineS, long HideDeadlineS);
