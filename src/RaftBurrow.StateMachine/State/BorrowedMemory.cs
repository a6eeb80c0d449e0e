using System.Buffers;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Lends a pinned span out as <see cref="Memory{T}"/> (MessagePack's reader needs memory, Apply gets
/// a span) without copying the entry. Valid only between <see cref="Lend"/> and <see cref="Return"/>,
/// which Apply brackets inside a <c>fixed</c> block; nothing read from it may be kept (bodies are
/// copied into their slabs, the decoder copies what it keeps).
/// </summary>
internal sealed unsafe class BorrowedMemory : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    public Memory<byte> Lend(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
        return Memory;
    }

    public void Return()
    {
        _pointer = null;
        _length = 0;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => Return();
}
