using System.Buffers.Binary;

namespace RaftBurrow.Cluster;

/// <summary>
/// Wire format of the batched forwarding endpoint (<c>POST /internal/v2/partitions/{p}/execute</c>):
/// many commands for one partition in one internal request, one outcome per command in the answer.
/// </summary>
/// <remarks>
/// Request, version 1 (all integers little-endian):
/// <c>[version: 1 byte = 1][count: int32]</c> then per command
/// <c>[request id: 16 bytes][timeout ms: int32][length: int32][CommandCodec bytes]</c>.
/// Answer, version 1: <c>[version: 1 byte = 1][count: int32]</c> then per command, in request order,
/// <c>[outcome: 1 byte][length: int32][bytes]</c>, where the bytes are CommandCodec.EncodeResult bytes
/// for <see cref="ForwardOutcome.Ok"/> and empty otherwise. A new layout gets a new version byte; a
/// receiver answers 400 to a version it does not know (the sender then falls back to the one-command
/// endpoint), so existing versions are never changed.
/// </remarks>
public static class ForwardBatchCodec
{
    /// <summary>The only version so far.</summary>
    public const byte Version1 = 1;

    private const int HeaderBytes = 5;
    private const int ItemHeaderBytes = 16 + 4 + 4;

    /// <summary>One forwarded command.</summary>
    /// <param name="RequestId">The request id the origin retries with.</param>
    /// <param name="TimeoutMs">How long the origin still waits for this command, ms.</param>
    /// <param name="Command">CommandCodec bytes.</param>
    public readonly record struct Item(Guid RequestId, int TimeoutMs, ReadOnlyMemory<byte> Command);

    /// <summary>One command's outcome on the receiver.</summary>
    /// <param name="Outcome">What happened.</param>
    /// <param name="Result">CommandCodec.EncodeResult bytes when <see cref="ForwardOutcome.Ok"/>; empty otherwise.</param>
    public readonly record struct Answer(ForwardOutcome Outcome, ReadOnlyMemory<byte> Result);

    /// <summary>Encodes a request body.</summary>
    public static byte[] EncodeRequest(IReadOnlyList<Item> items)
    {
        var size = HeaderBytes;
        foreach (var item in items)
            size += ItemHeaderBytes + item.Command.Length;
        var buffer = new byte[size];
        buffer[0] = Version1;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), items.Count);
        var at = HeaderBytes;
        foreach (var item in items)
        {
            item.RequestId.TryWriteBytes(buffer.AsSpan(at, 16));
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at + 16), item.TimeoutMs);
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at + 20), item.Command.Length);
            item.Command.Span.CopyTo(buffer.AsSpan(at + ItemHeaderBytes));
            at += ItemHeaderBytes + item.Command.Length;
        }
        return buffer;
    }

    /// <summary>Decodes a request body; null when it is malformed or of an unknown version.</summary>
    public static List<Item>? TryDecodeRequest(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.Length < HeaderBytes || span[0] != Version1)
            return null;
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[1..]);
        // Each item takes at least its header: a count beyond that is a lie, not a reason to allocate.
        if (count <= 0 || count > (span.Length - HeaderBytes) / ItemHeaderBytes)
            return null;
        var items = new List<Item>(count);
        var at = HeaderBytes;
        for (var i = 0; i < count; i++)
        {
            if (span.Length - at < ItemHeaderBytes)
                return null;
            var id = new Guid(span.Slice(at, 16));
            var timeout = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 16)..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 20)..]);
            at += ItemHeaderBytes;
            if (length < 2 || length > span.Length - at)
                return null;
            items.Add(new Item(id, timeout, body.Slice(at, length)));
            at += length;
        }
        return at == span.Length ? items : null;
    }

    /// <summary>Encodes an answer body (outcomes in request order).</summary>
    public static byte[] EncodeAnswer(IReadOnlyList<Answer> answers)
    {
        var size = HeaderBytes;
        foreach (var answer in answers)
            size += 5 + answer.Result.Length;
        var buffer = new byte[size];
        buffer[0] = Version1;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), answers.Count);
        var at = HeaderBytes;
        foreach (var answer in answers)
        {
            buffer[at] = (byte)answer.Outcome;
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at + 1), answer.Result.Length);
            answer.Result.Span.CopyTo(buffer.AsSpan(at + 5));
            at += 5 + answer.Result.Length;
        }
        return buffer;
    }

    /// <summary>Decodes an answer body; null when it is malformed, of an unknown version or of another count.</summary>
    public static List<Answer>? TryDecodeAnswer(ReadOnlyMemory<byte> body, int expectedCount)
    {
        var span = body.Span;
        if (span.Length < HeaderBytes || span[0] != Version1 || BinaryPrimitives.ReadInt32LittleEndian(span[1..]) != expectedCount)
            return null;
        var answers = new List<Answer>(expectedCount);
        var at = HeaderBytes;
        for (var i = 0; i < expectedCount; i++)
        {
            if (span.Length - at < 5)
                return null;
            var outcome = (ForwardOutcome)span[at];
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 1)..]);
            at += 5;
            if (length < 0 || length > span.Length - at || !Enum.IsDefined(outcome))
                return null;
            answers.Add(new Answer(outcome, body.Slice(at, length)));
            at += length;
        }
        return at == span.Length ? answers : null;
    }
}

/// <summary>A forwarded command's outcome on the receiver (one byte on the wire: never renumber).</summary>
public enum ForwardOutcome : byte
{
    /// <summary>Committed and applied; the result follows.</summary>
    Ok = 0,

    /// <summary>The receiver does not (or no longer) lead the partition: the origin re-routes the command.</summary>
    NotLeader = 1,

    /// <summary>The receiver could not commit it in time (the single endpoint's 503): the origin retries until its deadline.</summary>
    Unavailable = 2,
}
