using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Consensus;

/// <summary>
/// Adapts a byte-level <see cref="IReplicatedStateMachine"/> to DotNext's WAL: applies committed
/// entries in log order, hands results to the proposer through the entry's context, writes
/// snapshots in the background, installs snapshots sent by a leader, and guards the state with a
/// per-partition reader/writer lock so queries see a state between two entries.
/// </summary>
/// <remarks>
/// <para>Why not DotNext's <c>SimpleStateMachine</c>: it serializes the state from the applier and
/// applies no further entry until the snapshot is on disk, so every snapshot stalled the partition
/// for as long as writing the whole state took (seconds for a few million messages: the p99 of
/// docs/benchmarks.md). Here the applier only captures a frozen image of the state
/// (<see cref="IReplicatedStateMachine.CaptureSnapshot"/>: message references, the messages kept copy-on-write) and a
/// background thread (at low CPU priority: <see cref="BackgroundPriority"/>) serializes it to a temporary file, syncs it, renames it into place, syncs the
/// directory and only then publishes it to the WAL through <see cref="ISnapshotManager.Snapshot"/>
/// (which DotNext allows to change at any time). Until then the WAL keeps the entries the new
/// snapshot would cover, so nothing depends on the write finishing early.</para>
/// <para>Threading: the WAL calls <see cref="ApplyAsync"/> one entry at a time; it reads
/// <see cref="ISnapshotManager.Snapshot"/> and calls <see cref="ReclaimGarbageAsync"/> from other
/// threads. At most one snapshot is written at a time. Readers run concurrently with each other under
/// the read lock; nothing awaits while holding the lock.</para>
/// <para>Files (unchanged from the SimpleStateMachine days, so existing data directories restore):
/// one file per snapshot named <c>{index}-{term}</c> (the WAL index and term of the last entry it
/// covers), format version 1, little endian:
/// <c>[u32 magic "RBSN"][u8 version=1][i64 raftIndex][state machine snapshot bytes…]</c>. Files
/// being written are named <c>*.tmp</c> and deleted on start.</para>
/// </remarks>
internal sealed class PartitionStateMachine : IStateMachine, IAsyncDisposable
{
    private const uint SnapshotMagic = 0x4E534252; // "RBSN" little endian
    private const byte SnapshotVersion = 1;
    private const int SnapshotHeaderSize = 4 + 1 + 8;
    private const string SnapshotSearchMask = "*-*";
    private const string TempSuffix = ".tmp";
    private const int FileBufferBytes = 1 << 20;

    /// <summary>After a snapshot failed to write, the next automatic attempt waits this long (a forced one does not).</summary>
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly DirectoryInfo _location;
    private readonly IReplicatedStateMachine _machine;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SnapshotPolicy _policy;
    private readonly ILogger _logger;
    private readonly int _partition;

    // Invariant: _appliedIndex >= _lastSnapshotIndex. _appliedIndex moves on the applier only;
    // _lastSnapshotIndex when a snapshot is published (writer task) or installed/restored.
    private long _appliedIndex = -1; // -1 until RestoreAsync ran: the WAL must not read the snapshot before
    private long _lastSnapshotIndex;
    private int _snapshotRequested;
    private long _lastSnapshotBytes; // size of the last snapshot written or restored: the byte trigger
    private long _logBytesSinceSnapshot; // command bytes applied since the last published snapshot (local)
    private volatile FileSnapshot? _snapshot;
    private Task _writing = Task.CompletedTask; // the snapshot being written; replaced on the applier only
    private long _noAutomaticSnapshotBefore; // Stopwatch timestamp; set after a failed write
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;
    private readonly Lock _hashGate = new(); // one hash at a time; guards the two fields below
    private (long AppliedIndex, ulong StateHash)? _lastHash;
    private long _nextHashAt; // Stopwatch timestamp

    public PartitionStateMachine(DirectoryInfo location, IReplicatedStateMachine machine, int partition, SnapshotPolicy policy, ILogger logger)
    {
        location.Create();
        _location = location;
        _machine = machine;
        _partition = partition;
        _policy = policy;
        _logger = logger;
    }

    /// <summary>After a state hash that took t, the next one waits HashThrottle·t (see <see cref="IndexAndHash"/>); tests set 0.</summary>
    internal double HashThrottle { get; set; } = 10;

    /// <summary>Index of the last applied entry (no-op and configuration entries included).</summary>
    public long AppliedIndex => Math.Max(0, Volatile.Read(ref _appliedIndex));

    /// <summary>Index of the latest snapshot written (published) or restored.</summary>
    public long LastSnapshotIndex => Volatile.Read(ref _lastSnapshotIndex);

    /// <summary>Whether a forced snapshot has not been started yet.</summary>
    public bool SnapshotRequested => Volatile.Read(ref _snapshotRequested) != 0;

    /// <summary>Whether a snapshot is being written in the background.</summary>
    public bool SnapshotWriting => !Volatile.Read(ref _writing).IsCompleted;

    /// <summary>Command payload bytes applied since the last snapshot (restarts at 0 with the process).</summary>
    public long LogBytesSinceSnapshot => Volatile.Read(ref _logBytesSinceSnapshot);

    /// <summary>Makes the next applied entry start a snapshot (an operator's forced snapshot).</summary>
    public void RequestSnapshot() => Volatile.Write(ref _snapshotRequested, 1);

    /// <summary>Completes when the next entry is applied, or a snapshot is published or installed.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <inheritdoc />
    ISnapshot? ISnapshotManager.Snapshot => Volatile.Read(ref _appliedIndex) < 0
        ? throw new InvalidOperationException("The partition's state machine was not restored before its WAL was opened.")
        : _snapshot;

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
    /// The index the state stands at: the larger of ours and the WAL's applied index (entries between
    /// them carry no command; see <see cref="IndexAndHash"/>).
    /// </summary>
    public long StateIndex(Func<long> walAppliedIndex) => Math.Max(AppliedIndex, walAppliedIndex());

    /// <summary>
    /// Applied index and state hash, read together. <paramref name="walAppliedIndex"/> is read under
    /// the lock: the WAL applies some entries (the no-op a new leader appends) without calling
    /// <see cref="ApplyAsync"/>, so entries between our index and the WAL's are state-neutral and the
    /// hash holds at the larger index.
    /// </summary>
    /// <remarks>
    /// The hash covers the whole state (every message body), so computing it costs about as much as
    /// writing a snapshot. It used to be computed under the read lock, which held up every apply for
    /// that long on each <c>GET /admin/cluster</c> (the dashboard polls every node every 2 s: with a
    /// million messages, about a second of stall per poll). Now only a capture is taken under the lock
    /// (as for a snapshot) and the image is hashed outside it; the pair is cached, so a state that did
    /// not move is not hashed again, and after a hash that took <c>t</c> the next one waits at least
    /// 10·<c>t</c>, answering the cached (older) pair meanwhile: at most about a tenth of a core goes
    /// to hashing however often the state is polled. Callers get a consistent pair either way; under
    /// load on a large state its applied index may lag behind the commit index.
    /// </remarks>
    public (long AppliedIndex, ulong StateHash) IndexAndHash(Func<long> walAppliedIndex)
    {
        lock (_hashGate)
        {
            ISnapshotImage image;
            long index;
            _lock.EnterReadLock();
            try
            {
                index = StateIndex(walAppliedIndex);
                if (_lastHash is { } last && (last.AppliedIndex == index || Stopwatch.GetTimestamp() < _nextHashAt))
                    return last;
                image = _machine.CaptureSnapshot();
            }
            finally
            {
                _lock.ExitReadLock();
            }
            using (image)
            {
                var started = Stopwatch.GetTimestamp();
                var hash = SnapshotHashing.Hash(image);
                var took = Stopwatch.GetTimestamp() - started;
                _lastHash = (index, hash);
                _nextHashAt = Stopwatch.GetTimestamp() + (long)(HashThrottle * took);
                return (index, hash);
            }
        }
    }

    /// <summary>
    /// Restores the newest snapshot on disk, if any, and deletes files left by an interrupted write.
    /// Call once, before the WAL is created (it reads the snapshot index in its constructor).
    /// </summary>
    public async ValueTask RestoreAsync(CancellationToken token)
    {
        foreach (var stale in _location.EnumerateFiles("*" + TempSuffix))
            stale.Delete();
        FileSnapshot? newest = null;
        foreach (var candidate in Snapshots())
        {
            if (newest is null || candidate.Index > newest.Index)
                newest = candidate;
        }
        if (newest is not null)
            await RestoreFromAsync(newest.File, token).ConfigureAwait(false);
        _snapshot = newest;
        Volatile.Write(ref _appliedIndex, newest?.Index ?? 0);
    }

    /// <inheritdoc />
    ValueTask<long> IStateMachine.ApplyAsync(LogEntry entry, CancellationToken token)
    {
        var applied = Volatile.Read(ref _appliedIndex);
        if (entry.Index <= applied)
            return ValueTask.FromResult(applied); // replay below a restored snapshot
        if (entry.IsSnapshot)
            return InstallSnapshotAsync(entry, token);
        Apply(entry);
        MaybeStartSnapshot(entry.Index, entry.Term);
        return ValueTask.FromResult(entry.Index);
    }

    private void Apply(in LogEntry entry)
    {
        var index = entry.Index;
        object? result = null;
        // Configuration and no-op entries carry no command: they only move the applied index.
        var hasCommand = !entry.IsConfiguration && entry.TryGetPayload(out var payload) && !payload.IsEmpty;
        _lock.EnterWriteLock();
        try
        {
            if (hasCommand)
            {
                entry.TryGetPayload(out payload);
                var started = Stopwatch.GetTimestamp();
                Interlocked.Add(ref _logBytesSinceSnapshot, payload.Length);
                result = payload.IsSingleSegment ? _machine.Apply(index, payload.FirstSpan) : _machine.Apply(index, payload.ToArray());
                ConsensusMetrics.RecordSince(ConsensusMetrics.ApplyLatency, _partition, started);
            }
            Volatile.Write(ref _appliedIndex, index);
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
    }

    /// <summary>On the applier, right after entry <paramref name="index"/>: captures an image and starts writing it if a snapshot is due.</summary>
    private void MaybeStartSnapshot(long index, long term)
    {
        if (!_writing.IsCompleted)
            return; // one at a time; the next entry after it finishes checks again
        var forced = Volatile.Read(ref _snapshotRequested) != 0;
        if (!forced)
        {
            if (!_policy.IsDue(index - LastSnapshotIndex, LogBytesSinceSnapshot, Volatile.Read(ref _lastSnapshotBytes)))
                return;
            if (Stopwatch.GetTimestamp() < Volatile.Read(ref _noAutomaticSnapshotBefore))
                return;
        }
        var started = Stopwatch.GetTimestamp();
        ISnapshotImage image;
        _lock.EnterReadLock(); // a read: queries may run alongside, the applier (this thread) does not
        try
        {
            image = _machine.CaptureSnapshot();
        }
        finally
        {
            _lock.ExitReadLock();
        }
        Volatile.Write(ref _snapshotRequested, 0);
        var coveredBytes = LogBytesSinceSnapshot;
        ConsensusMetrics.RecordSince(ConsensusMetrics.SnapshotCapture, _partition, started);
        // A thread of its own at low CPU priority (not the thread pool): the write takes a core for as
        // long as serializing the whole state takes, and must yield it to request handling.
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new Thread(() =>
        {
            try
            {
                BackgroundPriority.LowerCurrentThread();
                WriteSnapshot(image, index, term, coveredBytes, forced, started);
            }
            finally
            {
                written.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = $"snapshot-p{_partition}",
        };
        Volatile.Write(ref _writing, written.Task);
        writer.Start();
    }

    /// <summary>Background: serializes <paramref name="image"/> to disk, then publishes it to the WAL.</summary>
    private void WriteSnapshot(ISnapshotImage image, long index, long term, long coveredBytes, bool forced, long started)
    {
        var temp = TempPath();
        try
        {
            long length;
            using (image)
            {
                using var file = CreateTemp(temp, FileBufferBytes, FileOptions.None);
                Span<byte> header = stackalloc byte[SnapshotHeaderSize];
                BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotMagic);
                header[4] = SnapshotVersion;
                BinaryPrimitives.WriteInt64LittleEndian(header[5..], index);
                file.Write(header);
                // Synced in 4 MiB steps, not once at the end: see TricklingFileStream (ext4 makes the
                // WAL's per-entry syncs wait for a large file's dirty pages).
                image.WriteTo(new TricklingFileStream(file));
                file.Flush(flushToDisk: true);
                length = file.Length;
            }
            var snapshot = Publish(temp, index, term);
            Interlocked.Add(ref _logBytesSinceSnapshot, -coveredBytes);
            Volatile.Write(ref _lastSnapshotBytes, length);
            ConsensusMetrics.SnapshotBytes.Record(length, ConsensusMetrics.Tag(_partition));
            ConsensusMetrics.RecordSince(ConsensusMetrics.SnapshotDuration, _partition, started);
            _logger.LogInformation("Partition {Partition}: snapshot at index {Index} ({Bytes} bytes, {Seconds:F2} s in the background)",
                _partition, snapshot.Index, length, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            Volatile.Write(ref _noAutomaticSnapshotBefore, Stopwatch.GetTimestamp() + (long)(RetryAfterFailure.TotalSeconds * Stopwatch.Frequency));
            if (forced)
                RequestSnapshot(); // the operator still waits for one
            if (Volatile.Read(ref _disposed) == 0)
                _logger.LogError(e, "Partition {Partition}: writing the snapshot at index {Index} failed; the WAL keeps its entries, the next attempt comes later", _partition, index);
        }
    }

    /// <summary>Moves a synced snapshot file into place, syncs the directory, and hands it to the WAL.</summary>
    private FileSnapshot Publish(string temp, long index, long term)
    {
        var destination = new FileInfo(Path.Combine(_location.FullName, FileSnapshot.FileName(index, term)));
        File.Move(temp, destination.FullName, overwrite: true);
        // Without this, a crash can lose the rename while the WAL has already dropped the entries
        // the snapshot covers.
        DirectorySync.Flush(_location.FullName);
        destination.Refresh();
        var snapshot = new FileSnapshot(destination, index, term);
        _snapshot = snapshot;
        Volatile.Write(ref _lastSnapshotIndex, Math.Max(Volatile.Read(ref _lastSnapshotIndex), index));
        SignalChanged();
        return snapshot;
    }

    /// <summary>A follower receives a leader's snapshot (its log lags behind the leader's first entry).</summary>
    private async ValueTask<long> InstallSnapshotAsync(LogEntry entry, CancellationToken token)
    {
        // A snapshot of our own in progress covers less than this one; let it finish first so that
        // the two never race to publish.
        await _writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var temp = TempPath();
        try
        {
            var file = CreateTemp(temp, bufferSize: 0, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await entry.WriteToAsync(file, FileBufferBytes, token).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            // Restored before it is handed to the WAL (as DotNext's own state machine did): a file
            // that does not restore is never offered to other members.
            await RestoreFromAsync(new FileInfo(temp), token).ConfigureAwait(false);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        Publish(temp, entry.Index, entry.Term);
        Volatile.Write(ref _appliedIndex, entry.Index);
        SignalChanged();
        return entry.Index;
    }

    private async ValueTask RestoreFromAsync(FileInfo snapshotFile, CancellationToken token)
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
            _lastSnapshotIndex = index;
            // The restored state stands in for a snapshot of that size: the next one is due after as
            // many log bytes again (or the entry bound).
            Volatile.Write(ref _logBytesSinceSnapshot, 0);
            Volatile.Write(ref _lastSnapshotBytes, bytes.Length);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        SignalChanged();
        _logger.LogInformation("Partition {Partition}: restored snapshot at index {Index}", _partition, index);
    }

    /// <inheritdoc />
    ValueTask ISnapshotManager.ReclaimGarbageAsync(long watermark, CancellationToken token)
    {
        try
        {
            var current = _snapshot;
            foreach (var candidate in Snapshots())
            {
                token.ThrowIfCancellationRequested();
                if (candidate.Index < watermark && candidate.Index != current?.Index)
                    candidate.File.Delete();
            }
            return ValueTask.CompletedTask;
        }
        catch (OperationCanceledException e)
        {
            return ValueTask.FromCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private IEnumerable<FileSnapshot> Snapshots()
    {
        foreach (var file in _location.EnumerateFiles(SnapshotSearchMask))
        {
            if (FileSnapshot.TryParse(file) is { } snapshot)
                yield return snapshot;
        }
    }

    private string TempPath() => Path.Combine(_location.FullName, Path.GetRandomFileName() + TempSuffix);

    /// <summary>A new snapshot file being written (named by <see cref="TempPath"/>; moved into place by <see cref="Publish"/>).</summary>
    private static FileStream CreateTemp(string path, int bufferSize, FileOptions options) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        BufferSize = bufferSize,
        Options = options,
    });

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void SignalChanged()
    {
        var previous = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    /// <summary>Waits for a snapshot being written (so its file is complete or gone), then frees the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _lock.Dispose();
    }

    /// <summary>A snapshot file as the WAL sees it: a log entry at <see cref="Index"/> whose payload is the file.</summary>
    private sealed class FileSnapshot(FileInfo file, long index, long term) : ISnapshot
    {
        public FileInfo File { get; } = file;

        public long Index { get; } = index;

        public long Term { get; } = term;

        long? IDataTransferObject.Length => File.Length;

        bool IDataTransferObject.IsReusable => true;

        public static string FileName(long index, long term) =>
            string.Create(CultureInfo.InvariantCulture, $"{index}-{term}");

        public static FileSnapshot? TryParse(FileInfo file) =>
            file.Name.Split('-') is [var index, var term]
            && long.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && long.TryParse(term, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
                ? new FileSnapshot(file, i, t)
                : null;

        async ValueTask IDataTransferObject.WriteToAsync<TWriter>(TWriter writer, CancellationToken token)
        {
            var stream = File.Open(new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = Environment.SystemPageSize,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            await using (stream.ConfigureAwait(false))
                await writer.CopyFromAsync(stream, count: null, token).ConfigureAwait(false);
        }
    }
}
