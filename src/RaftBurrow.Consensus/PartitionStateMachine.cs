using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Consensus;

/// <summary>
/// Adapts a byte-level <see cref="IReplicatedStateMachine"/> to DotNext's WAL: applies committed
/// entries in log order, hands results to the proposer through the entry's context, writes and
/// restores snapshots, and guards the state with a per-partition reader/writer lock so queries see
/// a state between two entries.
/// </summary>
/// <remarks>
/// Threading: the WAL calls apply, persist and restore one at a time; readers run concurrently
/// with each other under the read lock. Nothing awaits while holding the lock.
/// Snapshot file format (version 1, little endian):
/// <c>[u32 magic "RBSN"][u8 version=1][i64 raftIndex][state machine snapshot bytes…]</c>.
/// </remarks>
internal sealed class PartitionStateMachine : SimpleStateMachine
{
    private const uint SnapshotMagic = 0x4E534252; // "RBSN" little endian
    private const byte SnapshotVersion = 1;
    private const int SnapshotHeaderSize = 4 + 1 + 8;

    private readonly IReplicatedStateMachine _machine;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SnapshotPolicy _policy;
    private readonly ILogger _logger;
    private readonly int _partition;

    // Invariant: _appliedIndex >= _lastSnapshotIndex; both only move forward except on restore.
    private long _appliedIndex;
    private long _lastSnapshotIndex;
    private int _snapshotRequested;
    private long _lastSnapshotBytes; // size of the last snapshot written or restored: buffer size and byte trigger
    private long _logBytesSinceSnapshot; // command payload bytes applied since the last snapshot (local, not replicated)
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PartitionStateMachine(DirectoryInfo location, IReplicatedStateMachine machine, int partition, SnapshotPolicy policy, ILogger logger)
        : base(location)
    {
        _machine = machine;
        _partition = partition;
        _policy = policy;
        _logger = logger;
    }

    /// <summary>Index of the last applied entry (no-op and configuration entries included).</summary>
    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>Index of the latest snapshot written or restored.</summary>
    public long LastSnapshotIndex => Volatile.Read(ref _lastSnapshotIndex);

    /// <summary>Whether a forced snapshot is still pending.</summary>
    public bool SnapshotRequested => Volatile.Read(ref _snapshotRequested) != 0;

    /// <summary>Command payload bytes applied since the last snapshot (restarts at 0 with the process).</summary>
    public long LogBytesSinceSnapshot => Volatile.Read(ref _logBytesSinceSnapshot);

    /// <summary>Makes the next applied entry persist a snapshot (an operator's forced snapshot).</summary>
    public void RequestSnapshot() => Volatile.Write(ref _snapshotRequested, 1);

    /// <summary>Completes when the next entry is applied (or a snapshot installed).</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Runs <paramref name="query"/> under the read lock.</summary>
    public T Read<T>(Func<IReplicatedStateMachine, T> query)
    {
        _lock.EnterReadLock();
        try
        {
            return query(_machine);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Applied index and state hash, read together. <paramref name="walAppliedIndex"/> is read under
    /// the lock: the WAL applies some entries (the no-op a new leader appends) without calling
    /// <see cref="ApplyAsync"/>, so entries between our index and the WAL's are state-neutral and the
    /// hash holds at the larger index.
    /// </summary>
    public (long AppliedIndex, ulong StateHash) IndexAndHash(Func<long> walAppliedIndex)
    {
        _lock.EnterReadLock();
        try
        {
            return (Math.Max(_appliedIndex, walAppliedIndex()), _machine.StateHash());
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        var index = entry.Index;
        object? result = null;
        // Configuration and no-op entries carry no command: they only move the applied index.
        var hasCommand = !entry.IsConfiguration && entry.TryGetPayload(out var payload) && !payload.IsEmpty;
        _lock.EnterWriteLock();
        try
        {
            if (index <= _appliedIndex)
                return ValueTask.FromResult(false); // replay below a restored snapshot
            if (hasCommand)
            {
                entry.TryGetPayload(out payload);
                var started = Stopwatch.GetTimestamp();
                _logBytesSinceSnapshot += payload.Length;
                result = payload.IsSingleSegment ? _machine.Apply(index, payload.FirstSpan) : _machine.Apply(index, payload.ToArray());
                ConsensusMetrics.RecordSince(ConsensusMetrics.ApplyLatency, _partition, started);
            }
            _appliedIndex = index;
        }
        catch (Exception e)
        {
            // The state machine must never throw: this is a broken invariant, not bad input.
            _logger.LogCritical(e, "Partition {Partition}: the state machine threw applying entry {Index}", _partition, index);
            throw;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        (entry.Context as ApplyResultSink)?.SetResult(result);
        SignalChanged();
        return ValueTask.FromResult(
            _policy.IsDue(index - _lastSnapshotIndex, _logBytesSinceSnapshot, Volatile.Read(ref _lastSnapshotBytes))
            || Volatile.Read(ref _snapshotRequested) != 0);
    }

    protected override async ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        // DotNext calls this from its applier: no entry is applied until it returns, so keep the copies
        // down. The buffer starts at the last snapshot's size plus a quarter (no doubling-and-copying
        // of hundreds of MB) and is written as is (no ToArray copy).
        var started = Stopwatch.GetTimestamp();
        var capacity = (int)Math.Min(Array.MaxLength, Volatile.Read(ref _lastSnapshotBytes) * 5 / 4);
        using var buffer = new MemoryStream(capacity);
        _lock.EnterReadLock();
        try
        {
            Span<byte> header = stackalloc byte[SnapshotHeaderSize];
            BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotMagic);
            header[4] = SnapshotVersion;
            BinaryPrimitives.WriteInt64LittleEndian(header[5..], _appliedIndex);
            buffer.Write(header);
            _machine.WriteSnapshot(buffer);
            Volatile.Write(ref _lastSnapshotIndex, _appliedIndex);
            Volatile.Write(ref _snapshotRequested, 0);
            Volatile.Write(ref _logBytesSinceSnapshot, 0);
        }
        finally
        {
            _lock.ExitReadLock();
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        Volatile.Write(ref _lastSnapshotBytes, bytes.Length);
        await writer.WriteAsync(bytes, lengthFormat: null, token).ConfigureAwait(false);
        ConsensusMetrics.SnapshotBytes.Record(bytes.Length, ConsensusMetrics.Tag(_partition));
        ConsensusMetrics.RecordSince(ConsensusMetrics.SnapshotDuration, _partition, started);
        _logger.LogInformation("Partition {Partition}: snapshot at index {Index} ({Bytes} bytes)", _partition, _lastSnapshotIndex, bytes.Length);
    }

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        var bytes = await File.ReadAllBytesAsync(snapshotFile.FullName, token).ConfigureAwait(false);
        if (bytes.Length < SnapshotHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != SnapshotMagic)
            throw new InvalidDataException($"{snapshotFile.FullName} is not a RaftBurrow snapshot.");
        if (bytes[4] != SnapshotVersion)
            throw new InvalidDataException($"{snapshotFile.FullName} has snapshot version {bytes[4]}; this build reads {SnapshotVersion}.");
        var index = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(5));
        _lock.EnterWriteLock();
        try
        {
            using var source = new MemoryStream(bytes, SnapshotHeaderSize, bytes.Length - SnapshotHeaderSize, writable: false);
            _machine.RestoreSnapshot(source);
            _appliedIndex = index;
            _lastSnapshotIndex = index;
            // The restored state stands in for a snapshot of that size: the next one is due after as
            // many log bytes again (or the entry bound).
            _logBytesSinceSnapshot = 0;
            Volatile.Write(ref _lastSnapshotBytes, bytes.Length);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        SignalChanged();
        _logger.LogInformation("Partition {Partition}: restored snapshot at index {Index}", _partition, index);
    }

    private void SignalChanged()
    {
        var previous = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        _lock.Dispose();
    }
}
