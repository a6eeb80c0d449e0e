using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Remembers the first result of recent commands by request id, and of recent idempotent posts by
/// (project, queue, idempotency key), so a retry gets the first answer instead of a second effect.
/// Bounded by a time window (by the machine's clock) and a count; the oldest go first.
/// </summary>
/// <remarks>
/// Entries are structs in a ring (FIFO = eviction order) and the maps point at ring positions, so a
/// remembered command costs no object of its own: with one entry per command, objects here would
/// live just long enough to be promoted to generation 2 and die there, the costliest GC pattern.
/// Invariant: positions in [<see cref="_head"/>, <see cref="_tail"/>) are the live entries, by
/// non-decreasing AtMs (entries are added at the machine's clock, which never goes back); every map
/// value is such a position.
/// </remarks>
internal sealed class DedupTable
{
    private readonly Dictionary<Guid, long> _byRequest = [];
    private readonly Dictionary<string, long> _byKey = new(StringComparer.Ordinal);
    private DedupEntry[] _ring = new DedupEntry[16];
    private long _head;
    private long _tail;

    public int Count => (int)(_tail - _head);

    /// <summary>
    /// A copy of the entries, oldest first (snapshot order). Two block copies of the ring: a snapshot
    /// capture copies up to <see cref="QueueStateMachineOptions.MaxDedupEntries"/> entries while the
    /// applier waits, and an enumeration into a growing buffer cost several times as much.
    /// </summary>
    public DedupEntry[] ToArray()
    {
        var copy = new DedupEntry[Count];
        if (copy.Length == 0)
            return copy;
        var first = Slot(_head);
        var firstPart = Math.Min(copy.Length, _ring.Length - first);
        Array.Copy(_ring, first, copy, 0, firstPart);
        Array.Copy(_ring, 0, copy, firstPart, copy.Length - firstPart);
        return copy;
    }

    private int Slot(long pos) => (int)(pos & (_ring.Length - 1));

    public bool TryGet(Guid requestId, out DedupEntry entry)
    {
        if (requestId != Guid.Empty && _byRequest.TryGetValue(requestId, out var pos))
        {
            entry = _ring[Slot(pos)];
            return true;
        }
        entry = default;
        return false;
    }

    public bool TryGetKey(string key, out DedupEntry entry)
    {
        if (_byKey.TryGetValue(key, out var pos))
        {
            entry = _ring[Slot(pos)];
            return true;
        }
        entry = default;
        return false;
    }

    public static string IdempotencyKey(string project, string queue, string key) =>
        string.Concat(project, "\n", queue, "\n", key);

    /// <summary>Adds an entry (the caller checked that neither its request id nor its key is present).</summary>
    public void Add(in DedupEntry entry)
    {
        if (entry.RequestId == Guid.Empty && entry.Key is null)
            return;
        if (_tail - _head == _ring.Length)
            Grow();
        var pos = _tail++;
        _ring[Slot(pos)] = entry;
        if (entry.RequestId != Guid.Empty)
            _byRequest[entry.RequestId] = pos;
        if (entry.Key is not null)
            _byKey[entry.Key] = pos;
    }

    /// <summary>Forgets entries older than the window and the oldest beyond the count bound.</summary>
    public void Evict(long nowMs, long windowMs, int maxEntries)
    {
        while (_head < _tail)
        {
            ref var oldest = ref _ring[Slot(_head)];
            if (nowMs - oldest.AtMs < windowMs && _tail - _head <= maxEntries)
                break;
            if (oldest.RequestId != Guid.Empty && _byRequest.TryGetValue(oldest.RequestId, out var a) && a == _head)
                _byRequest.Remove(oldest.RequestId);
            if (oldest.Key is not null && _byKey.TryGetValue(oldest.Key, out var b) && b == _head)
                _byKey.Remove(oldest.Key);
            oldest = default;
            _head++;
        }
    }

    public void Clear()
    {
        _byRequest.Clear();
        _byKey.Clear();
        Array.Clear(_ring);
        _head = 0;
        _tail = 0;
    }

    private void Grow()
    {
        var bigger = new DedupEntry[_ring.Length * 2];
        for (var pos = _head; pos < _tail; pos++)
            bigger[(int)(pos & (bigger.Length - 1))] = _ring[Slot(pos)];
        _ring = bigger;
    }
}

/// <summary>How a remembered result is stored.</summary>
internal enum DedupKind : byte
{
    /// <summary>The result object itself.</summary>
    Object = 0,

    /// <summary>A successful post: its ids are consecutive sequence numbers.</summary>
    Post = 1,

    /// <summary>A <see cref="CodeResult"/>: code and time only.</summary>
    Code = 2,

    /// <summary>A created claim: its sequence only (a retry answers the claim as it is now).</summary>
    Claim = 3,
}

/// <summary>One remembered result (see <see cref="DedupKind"/>).</summary>
internal readonly record struct DedupEntry
{
    public Guid RequestId { get; init; }

    public string? Key { get; init; }

    public long AtMs { get; init; }

    public DedupKind Kind { get; init; }

    /// <summary>For <see cref="DedupKind.Object"/>.</summary>
    public CommandResult? Result { get; init; }

    public ResultCode Code { get; init; }

    public long AppliedAtMs { get; init; }

    public long PostFirstSeq { get; init; }

    public int PostCount { get; init; }

    public CommandResult Materialize(int partitionId)
    {
        switch (Kind)
        {
            case DedupKind.Code:
                return new CodeResult(Code, AppliedAtMs);
            case DedupKind.Post:
                var ids = new string[PostCount];
                for (var i = 0; i < ids.Length; i++)
                    ids[i] = MessageIds.Format(partitionId, PostFirstSeq + i);
                return new PostMessagesResult(Code, AppliedAtMs, ids);
            default:
                return Result!;
        }
    }
}
