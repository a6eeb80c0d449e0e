namespace RaftBurrow.Consensus;

/// <summary>
/// Write-only wrapper of a <see cref="FileStream"/> that syncs the file to disk after every
/// <see cref="SyncEveryBytes"/> bytes written, so a large file (a snapshot of hundreds of MB) never
/// has more than that much dirty data in the page cache.
/// </summary>
/// <remarks>
/// Why: on ext4 (data=ordered), an fsync of one file commits the journal, and that commit waits for
/// the dirty data of every file in the transaction. The WAL syncs after every entry; while a snapshot
/// is being written in the background its dirty pages pile up, and each WAL sync then waits for them
/// too: a snapshot that no longer stalled the applier still showed as p99 latency (33 ms against
/// 10 ms without a snapshot in the run, docs/benchmarks.md). Syncing the snapshot in small steps keeps
/// what a WAL sync can be made to wait for small.
/// </remarks>
internal sealed class TricklingFileStream(FileStream file) : Stream
{
    /// <summary>Bytes written between two syncs.</summary>
    public const int SyncEveryBytes = 4 << 20;

    private long _sinceSync;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        _sinceSync += buffer.Length;
        if (_sinceSync >= SyncEveryBytes)
        {
            file.Flush(flushToDisk: true);
            _sinceSync = 0;
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
