using System.Collections.Concurrent;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Copy-on-write bookkeeping that lets a snapshot image read Zaqar messages lazily, on its writer
/// thread, while the machine goes on applying entries. Why: copying every message's mutable fields
/// at capture (millions of scattered object reads and a 48-byte record each) stopped the applier
/// for tens to hundreds of milliseconds per snapshot; most messages are never touched again before
/// the image is written, so only the few that are pay for a copy.
/// </summary>
/// <remarks>
/// <para>How: each capture opens a <see cref="MessageCopies"/> with a new, higher epoch. Before the
/// machine mutates a message's snapshotted fields it calls <see cref="Preserve"/>, which saves the
/// current fields into every open copy set whose epoch is above the message's
/// <see cref="ZaqarMessage.SnapshotEpoch"/>, then raises that epoch to the current one. A writer
/// reads a message seqlock-style (<see cref="MessageCopies.Read"/>): the message's own fields while
/// its epoch stays below the image's, else the saved copy.</para>
/// <para>Not replicated state: epochs depend on when snapshots are taken, which differs per replica,
/// and nothing in apply reads them, so answers and the state hash do not depend on them.</para>
/// <para>Threading: <see cref="Preserve"/> runs on the applying thread. <see cref="Open"/> runs
/// wherever a capture does: never concurrently with apply, but possibly with another capture (the
/// consensus layer captures an image for the state hash under a read lock that the applier's own
/// capture also takes, then hashes it outside the lock: two images are then open at once). <see cref="Close"/> may run on any thread (an image is disposed by its
/// writer).</para>
/// </remarks>
internal sealed class SnapshotEpochs
{
    private readonly Lock _gate = new();

    /// <summary>
    /// The epoch of the latest capture (0: none yet). Invariant: never decreases; changed only by
    /// <see cref="Open"/>, never while <see cref="Preserve"/> runs. An int, not a long: it fits in the padding of <see cref="ZaqarMessage"/>
    /// (a long made every message 8 bytes larger); 2^31 captures at one per second take 68 years.
    /// </summary>
    private int _current;

    /// <summary>Copy sets of images not yet disposed (usually none or one). Replaced, never mutated, under <see cref="_gate"/>, so the applier reads it without the lock.</summary>
    private MessageCopies[] _open = [];

    /// <summary>Whether any image is open (captured and not yet disposed); any thread.</summary>
    public bool AnyOpen => Volatile.Read(ref _open).Length > 0;

    /// <summary>The epoch new messages start at: no image captured so far can contain them.</summary>
    public int Current => _current;

    /// <summary>Starts the copy-on-write for an image being captured now (not concurrently with apply).</summary>
    public MessageCopies Open()
    {
        // Interlocked: two captures may run at once (see the remarks). A wrapped epoch would make
        // images read messages changed after their capture: refuse instead.
        var epoch = Interlocked.Increment(ref _current);
        if (epoch <= 0)
            throw new InvalidOperationException("Snapshot epochs are exhausted (2^31 captures).");
        var copies = new MessageCopies(epoch);
        lock (_gate)
            _open = [.. _open, copies];
        return copies;
    }

    /// <summary>Ends the copy-on-write for an image (it was written or dropped); any thread, idempotent.</summary>
    public void Close(MessageCopies copies)
    {
        lock (_gate)
            _open = Array.FindAll(_open, c => !ReferenceEquals(c, copies));
    }

    /// <summary>
    /// Call before mutating any field of <paramref name="m"/> that <see cref="MessageFields"/> holds
    /// (applying thread): saves the fields as they are for every open image captured since the
    /// message's last preserved mutation. Costs one comparison once the message is preserved for
    /// the latest capture, or while no image is open.
    /// </summary>
    public void Preserve(ZaqarMessage m)
    {
        if (m.SnapshotEpoch >= _current)
            return; // already preserved for every capture there is (or created since the last one)
        var open = Volatile.Read(ref _open);
        if (open.Length == 0)
            return; // no image to preserve for; a later capture reads the message as it will be then
        var fields = MessageFields.Of(m);
        foreach (var copies in open)
        {
            if (copies.Epoch > m.SnapshotEpoch)
                copies.Save(m, fields);
        }
        // Release: the saved copy is visible before the raised epoch. The full fence then keeps the
        // caller's mutation from becoming visible before the epoch (stores may pass a release store on
        // weak memory models), which is what makes the writer's re-check in Read sound.
        Volatile.Write(ref m.SnapshotEpoch, _current);
        Interlocked.MemoryBarrier();
    }
}

/// <summary>The fields saved for one image: those of the messages mutated since its capture, as they were at capture.</summary>
internal sealed class MessageCopies(int epoch)
{
    private readonly ConcurrentDictionary<ZaqarMessage, MessageFields> _saved = new(ReferenceEqualityComparer.Instance);

    /// <summary>The capture epoch of the image.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>Number of messages saved so far (tests, diagnostics).</summary>
    public int SavedCount => _saved.Count;

    /// <summary>Saves the fields of a message about to change (the first save wins: it is the one as of capture).</summary>
    public void Save(ZaqarMessage m, in MessageFields fields) => _saved.TryAdd(m, fields);

    /// <summary>
    /// The fields of <paramref name="m"/> as they were at capture (writer thread, concurrently with
    /// apply). Seqlock-style: the message's own fields are taken only if its epoch was below ours both
    /// before and after reading them (with a full fence between the reads and the re-check); otherwise
    /// the machine saved a copy before changing any of them.
    /// </summary>
    public MessageFields Read(ZaqarMessage m)
    {
        if (Volatile.Read(ref m.SnapshotEpoch) < Epoch)
        {
            var fields = MessageFields.Of(m);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref m.SnapshotEpoch) < Epoch)
                return fields;
        }
        return _saved.TryGetValue(m, out var saved)
            ? saved
            : throw new InvalidOperationException($"Message {m.Seq} changed after the capture, but no copy was saved for it.");
    }
}
