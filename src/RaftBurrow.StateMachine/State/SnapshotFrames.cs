using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Snapshot framing: the state is written as a series of frames <c>[i32 LE length][MessagePack
/// records…]</c> ended by a zero length, so neither side ever holds the whole state as one array.
/// This buffer collects records for one frame and emits it to the stream when it is full enough.
/// </summary>
internal sealed class FrameWriter(Stream destination) : IBufferWriter<byte>, IDisposable
{
    public const int TargetFrameBytes = 1 << 20;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(TargetFrameBytes + 4096);
    private int _length;

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    /// <summary>Emits the collected records as a frame if there are enough of them (or <paramref name="force"/>).</summary>
    public void MaybeEmit(bool force = false)
    {
        if (_length == 0 || (!force && _length < TargetFrameBytes))
            return;
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, _length);
        destination.Write(header);
        destination.Write(_buffer, 0, _length);
        _length = 0;
    }

    /// <summary>Emits the last frame and the end marker.</summary>
    public void Finish()
    {
        MaybeEmit(force: true);
        Span<byte> end = stackalloc byte[4];
        destination.Write(end);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 256);
        if (_buffer.Length - _length >= need)
            return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + need));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}

/// <summary>Reads the frames written by <see cref="FrameWriter"/>.</summary>
internal sealed class FrameReader(Stream source) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(FrameWriter.TargetFrameBytes + 4096);

    /// <summary>The next frame, or empty at the end marker.</summary>
    public ReadOnlyMemory<byte> Next()
    {
        Span<byte> header = stackalloc byte[4];
        source.ReadExactly(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0)
            throw new InvalidDataException("Corrupt snapshot: negative frame length.");
        if (length > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(length);
        }
        source.ReadExactly(_buffer, 0, length);
        return _buffer.AsMemory(0, length);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>A write-only stream that feeds XxHash64 (for <see cref="QueueStateMachine.StateHash"/>).</summary>
internal sealed class HashingStream : Stream
{
    private readonly XxHash64 _hash = new();

    public ulong Hash => _hash.GetCurrentHashAsUInt64();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _hash.Append(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => _hash.Append(buffer);
}
