namespace RaftBurrow.StateMachine.State;

/// <summary>A large array that holds many message bodies back to back.</summary>
internal sealed class BodySlab(int size)
{
    public byte[] Bytes { get; } = new byte[size];

    /// <summary>Bytes handed out so far (the next body goes here).</summary>
    public int Used { get; set; }

    /// <summary>Bodies in this slab not yet freed. Invariant: the slab is referenced only while this is &gt; 0 or it is the store's current slab.</summary>
    public int Live { get; set; }
}

/// <summary>
/// Holds Zaqar message bodies in large slabs instead of one array per message. Why: a queue of a
/// million 256-byte messages is a million long-lived arrays, and the garbage collector would copy
/// each of them from generation 0 to 1 to 2 (profiling showed the GC taking most of the apply time).
/// Slabs of 1 MiB live on the large-object heap, which is never copied. Memory is reclaimed per
/// slab when its last body is freed, and <see cref="NeedsCompaction"/> asks the owner to copy the
/// live bodies into fresh slabs when dead space dominates (so one old message cannot pin a slab
/// full of dead bodies for long). Not replicated state: placement never affects answers.
/// </summary>
internal sealed class BodyStore
{
    public const int SlabBytes = 1 << 20;

    /// <summary>Bodies at least this large get an array of their own.</summary>
    public const int OwnArrayBytes = 64 << 10;

    /// <summary>Emptied slabs kept for reuse (a queue that is consumed as fast as it is fed then
    /// allocates no new memory, and the kernel does not fault fresh pages in for every megabyte).</summary>
    private const int MaxSpareSlabs = 8;

    private readonly Stack<BodySlab> _spare = new();
    private BodySlab? _current;

    // Snapshot images being written that point into this store's slabs (see SnapshotImage). While any
    // is, an emptied slab is dropped instead of reused, so the bytes an image points at stay as they
    // were at capture. Changed by the owner (Pin) and by the image's writer thread (Unpin).
    private int _pins;

    /// <summary>Bytes of slabs still referenced (current + those with live bodies).</summary>
    public long SlabBytesHeld { get; private set; }

    /// <summary>Bytes of live bodies.</summary>
    public long LiveBytes { get; private set; }

    public bool NeedsCompaction => SlabBytesHeld > 2 * LiveBytes + 8L * SlabBytes;

    /// <summary>Copies a body in; returns where it lives (slab null for an empty body).</summary>
    public (BodySlab? Slab, int Offset) Add(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
            return (null, 0);
        BodySlab slab;
        if (body.Length >= OwnArrayBytes)
        {
            slab = new BodySlab(body.Length);
            SlabBytesHeld += body.Length;
        }
        else
        {
            if (_current is null || SlabBytes - _current.Used < body.Length)
            {
                if (_current is { Live: 0 })
                    Release(_current);
                _current = _spare.TryPop(out var spare) ? spare : new BodySlab(SlabBytes);
                SlabBytesHeld += SlabBytes;
            }
            slab = _current;
        }
        var offset = slab.Used;
        body.CopyTo(slab.Bytes.AsSpan(offset));
        slab.Used += body.Length;
        slab.Live++;
        LiveBytes += body.Length;
        return (slab, offset);
    }

    public void Free(BodySlab? slab, int length)
    {
        if (slab is null)
            return;
        slab.Live--;
        LiveBytes -= length;
        if (slab.Live == 0 && !ReferenceEquals(slab, _current))
            Release(slab);
    }

    /// <summary>Keeps emptied slabs from reuse until the matching <see cref="Unpin"/> (a snapshot image is being written).</summary>
    public void Pin() => Interlocked.Increment(ref _pins);

    /// <summary>Ends one <see cref="Pin"/>; may be called from another thread.</summary>
    public void Unpin() => Interlocked.Decrement(ref _pins);

    private void Release(BodySlab slab)
    {
        SlabBytesHeld -= slab.Bytes.Length;
        // Pinned: an image may still read this slab's old bodies, so it must not be overwritten; the
        // garbage collector frees it once the image is gone.
        if (slab.Bytes.Length == SlabBytes && _spare.Count < MaxSpareSlabs && Volatile.Read(ref _pins) == 0)
        {
            slab.Used = 0;
            _spare.Push(slab);
        }
    }

    public void Clear()
    {
        _current = null;
        _spare.Clear();
        SlabBytesHeld = 0;
        LiveBytes = 0;
    }
}
