using System.Buffers.Binary;
using System.IO.Hashing;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>
/// A tiny deterministic state machine for consensus-only tests: counts the commands it applied,
/// folds their bytes into a running hash, and returns the new count as the apply result.
/// </summary>
public sealed class CountingStateMachine : IReplicatedStateMachine
{
    public long AppliedIndex { get; private set; }

    public long Count { get; private set; }

    public ulong Hash { get; private set; }

    public long? NextDeadlineMs => null;

    public object? Apply(long index, ReadOnlySpan<byte> entry)
    {
        if (index <= AppliedIndex)
            return null;
        AppliedIndex = index;
        if (LogEntryCodec.TryReadBatchCount(entry, out var count))
        {
            // Group commit: one result per proposal in the batch, in order.
            var results = new object?[count];
            var rest = entry[LogEntryCodec.BatchHeaderSize..];
            for (var i = 0; i < count; i++)
                results[i] = LogEntryCodec.TryReadBatchItem(ref rest, out var item) ? ApplyOne(item) : -1L;
            return results;
        }
        return ApplyOne(entry);
    }

    private object ApplyOne(ReadOnlySpan<byte> entry)
    {
        if (!LogEntryCodec.TryDecode(entry, out _, out _, out var command))
            return -1L;
        Count++;
        var buffer = new byte[8 + command.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, Hash);
        command.CopyTo(buffer.AsSpan(8));
        Hash = XxHash64.HashToUInt64(buffer);
        return Count;
    }

    public void WriteSnapshot(Stream destination)
    {
        Span<byte> buffer = stackalloc byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, AppliedIndex);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], Count);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[16..], Hash);
        destination.Write(buffer);
    }

    public void RestoreSnapshot(Stream source)
    {
        Span<byte> buffer = stackalloc byte[24];
        source.ReadExactly(buffer);
        AppliedIndex = BinaryPrimitives.ReadInt64LittleEndian(buffer);
        Count = BinaryPrimitives.ReadInt64LittleEndian(buffer[8..]);
        Hash = BinaryPrimitives.ReadUInt64LittleEndian(buffer[16..]);
    }

    public ulong StateHash() => Hash ^ (ulong)Count;

    /// <summary>When set, writing a captured image first signals <see cref="ImageWriteEntered"/> and then waits for this gate.</summary>
    public TaskCompletionSource? ImageWriteGate { get; set; }

    /// <summary>Set when a gated image write has begun (see <see cref="ImageWriteGate"/>).</summary>
    public TaskCompletionSource ImageWriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    ISnapshotImage IReplicatedStateMachine.CaptureSnapshot()
    {
        var buffer = new MemoryStream();
        WriteSnapshot(buffer);
        return new Image(AppliedIndex, buffer.ToArray(), ImageWriteGate, ImageWriteEntered);
    }

    private sealed class Image(long appliedIndex, byte[] bytes, TaskCompletionSource? gate, TaskCompletionSource entered) : ISnapshotImage
    {
        public long AppliedIndex { get; } = appliedIndex;

        public void WriteTo(Stream destination)
        {
            if (gate is not null)
            {
                entered.TrySetResult();
                gate.Task.Wait(TimeSpan.FromSeconds(60));
            }
            destination.Write(bytes);
        }

        public void Dispose()
        {
        }
    }
}
