using System.Buffers.Text;
using MessagePack;

namespace RaftBurrow.StateMachine;

/// <summary>One message of a post as the machine consumes it (the body still in the entry's bytes).</summary>
internal readonly record struct PostedMessage(int? TtlSeconds, int? DelaySeconds, ReadOnlyMemory<byte> Body);

/// <summary>
/// Reads a <see cref="Commands.PostMessages"/> straight from its <see cref="CommandCodec"/> bytes:
/// the hot path of the machine (no command object, no array per body; bodies are copied once, from
/// the entry into their slab). It accepts only the exact shape <see cref="CommandCodec"/> writes and
/// answers false for anything else, in which case the general decoder decides, so both paths
/// always agree.
/// </summary>
internal readonly struct PostReader
{
    private const int PostMessagesTag = 6;

    private PostReader(string project, string queue, Guid clientId, string? idempotencyKey)
    {
        Project = project;
        Queue = queue;
        ClientId = clientId;
        IdempotencyKey = idempotencyKey;
    }

    public string Project { get; }

    public string Queue { get; }

    public Guid ClientId { get; }

    public string? IdempotencyKey { get; }

    /// <summary>Reads a post into <paramref name="messages"/> (cleared first); false when the bytes are not a well-formed post.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> bytes, List<PostedMessage> messages, out PostReader post)
    {
        post = default;
        if (bytes.Length < 3 || bytes.Span[0] != CommandCodec.Version)
            return false;
        try
        {
            var r = new MessagePackReader(bytes[1..]);
            if (r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() != 2
                || r.NextMessagePackType != MessagePackType.Integer || r.ReadInt32() != PostMessagesTag
                || r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() != 5
                || r.NextMessagePackType != MessagePackType.String)
                return false;
            var project = r.ReadString()!;
            if (r.NextMessagePackType != MessagePackType.String)
                return false;
            var queue = r.ReadString()!;
            if (!TryReadGuid(ref r, out var clientId) || r.NextMessagePackType != MessagePackType.Array)
                return false;
            var count = r.ReadArrayHeader();
            messages.Clear();
            for (var i = 0; i < count; i++)
            {
                if (r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() != 3)
                    return false;
                int? ttl = r.TryReadNil() ? null : r.ReadInt32();
                int? delay = r.TryReadNil() ? null : r.ReadInt32();
                if (r.NextMessagePackType != MessagePackType.Binary || r.ReadBytes() is not { IsSingleSegment: true } body)
                    return false;
                messages.Add(new PostedMessage(ttl, delay, body.First));
            }
            string? key = null;
            if (!r.TryReadNil())
            {
                if (r.NextMessagePackType != MessagePackType.String)
                    return false;
                key = r.ReadString();
            }
            if (!r.End)
                return false;
            post = new PostReader(project, queue, clientId, key);
            return true;
        }
        catch (Exception)
        {
            // Any surprise (overflow, truncation): let the general decoder judge the bytes.
            return false;
        }
    }

    /// <summary>MessagePack writes a Guid as its 36-character "D" string.</summary>
    private static bool TryReadGuid(ref MessagePackReader r, out Guid value)
    {
        value = default;
        if (r.NextMessagePackType != MessagePackType.String || r.ReadStringSequence() is not { IsSingleSegment: true } text)
            return false;
        var span = text.FirstSpan;
        return span.Length == 36 && Utf8Parser.TryParse(span, out value, out var consumed, 'D') && consumed == 36;
    }
}
