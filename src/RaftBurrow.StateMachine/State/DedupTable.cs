using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Remembers the first result of recent commands by request id, and of recent idempotent posts by
/// (project, queue, idempotency key), so a retry gets the first answer instead of a second effect.
/// Bounded by a time window (by the machine's clock) and a count; the oldest go first.
/// </summary>
/// <remarks>Invariant: <see cref="_order"/> holds every entry of both maps exactly once, by non-decreasing
/// <see cref="DedupEntry.AtMs"/> (entries are added at the machine's clock, which never goes back).</remarks>
internal sealed class DedupTable
{
    private readonly Dictionary<Guid, DedupEntry> _byRequest = [];
    private readonly Dictionary<string, DedupEntry> _byKey = new(StringComparer.Ordinal);
    private readonly Queue<DedupEntry> _order = new();

    public int Count => _order.Count;

    /// <summary>Entries oldest first (snapshot order).</summary>
    public IEnumerable<DedupEntry> Entries => _order;

    public bool TryGet(Guid requestId, out DedupEntry entry)
    {
        if (requestId == Guid.Empty)
        {
            entry = null!;
            return false;
        }
        return _byRequest.TryGetValue(requestId, out entry!);
    }

    public bool TryGetKey(string key, out DedupEntry entry) => _byKey.TryGetValue(key, out entry!);

    public static string IdempotencyKey(string project, string queue, string key) =>
        string.Concat(project, "\n", queue, "\n", key);

    /// <summary>Adds an entry (the caller checked that neither its request id nor its key is present).</summary>
    public void Add(DedupEntry entry)
    {
        if (entry.RequestId == Guid.Empty && entry.Key is null)
            return;
        if (entry.RequestId != Guid.Empty)
            _byRequest[entry.RequestId] = entry;
        if (entry.Key is not null)
            _byKey[entry.Key] = entry;
        _order.Enqueue(entry);
    }

    /// <summary>Forgets entries older than the window and the oldest beyond the count bound.</summary>
    public void Evict(long nowMs, long windowMs, int maxEntries)
    {
        while (_order.TryPeek(out var oldest) && (nowMs - oldest.AtMs >= windowMs || _order.Count > maxEntries))
        {
            _order.Dequeue();
            if (oldest.RequestId != Guid.Empty && _byRequest.TryGetValue(oldest.RequestId, out var a) && ReferenceEquals(a, oldest))
                _byRequest.Remove(oldest.RequestId);
            if (oldest.Key is not null && _byKey.TryGetValue(oldest.Key, out var b) && ReferenceEquals(b, oldest))
                _byKey.Remove(oldest.Key);
        }
    }

    public void Clear()
    {
        _byRequest.Clear();
        _byKey.Clear();
        _order.Clear();
    }
}

/// <summary>
/// One remembered result. Successful posts are kept compact (their ids are consecutive sequence
/// numbers), everything else as the result object.
/// </summary>
internal sealed class DedupEntry
{
    public required Guid RequestId { get; init; }

    public required string? Key { get; init; }

    public required long AtMs { get; init; }

    /// <summary>The result, or null for a compact post result.</summary>
    public CommandResult? Result { get; init; }

    public ResultCode PostCode { get; init; }

    public long PostAppliedAtMs { get; init; }

    public long PostFirstSeq { get; init; }

    public int PostCount { get; init; }

    public CommandResult Materialize(int partitionId)
    {
        if (Result is not null)
            return Result;
        var ids = new string[PostCount];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = MessageIds.Format(partitionId, PostFirstSeq + i);
        return new PostMessagesResult(PostCode, PostAppliedAtMs, ids);
    }
}
