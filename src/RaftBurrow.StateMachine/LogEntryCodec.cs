using System.Buffers.Binary;

namespace RaftBurrow.StateMachine;

/// <summary>
/// The envelope of every replicated log entry. Layout (version 1, little endian):
/// <c>[u8 version=1][i64 timestampMs][16 bytes requestId][command bytes…]</c>.
/// The command bytes are a <see cref="CommandCodec"/> payload. The leader stamps the timestamp and
/// the request id when it proposes; the state machine never reads a clock.
/// A batch entry (version 2, group commit of concurrent proposals to one partition) carries several
/// whole version-1 entries, applied in order, each with its own timestamp and request id:
/// <c>[u8 version=2][u32 count][count × ([u32 length][version-1 entry])]</c>.
/// </summary>
public static class LogEntryCodec
{
    /// <summary>Current envelope version. A newer version is rejected, never guessed at.</summary>
    public const byte Version = 1;

    /// <summary>Size of the header before the command bytes.</summary>
    public const int HeaderSize = 1 + 8 + 16;

    /// <summary>Envelope version of a batch entry (several version-1 entries in one log entry).</summary>
    public const byte BatchVersion = 2;

    /// <summary>Size of the batch header before the first item.</summary>
    public const int BatchHeaderSize = 1 + 4;

    /// <summary>Builds an entry around already encoded command bytes.</summary>
    public static byte[] Encode(long timestampMs, Guid requestId, ReadOnlySpan<byte> command)
    {
        var buffer = new byte[HeaderSize + command.Length];
        buffer[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(1), timestampMs);
        requestId.TryWriteBytes(buffer.AsSpan(9, 16));
        command.CopyTo(buffer.AsSpan(HeaderSize));
        return buffer;
    }

    /// <summary>Builds the expiry pulse the leader proposes when <see cref="IReplicatedStateMachine.NextDeadlineMs"/> has passed.</summary>
    public static byte[] EncodeExpire(long timestampMs) =>
        Encode(timestampMs, Guid.Empty, CommandCodec.ExpireCommandBytes);

    /// <summary>Splits an entry into its header fields and command bytes.</summary>
    /// <returns><c>false</c> when the entry is too short or of an unknown version.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> entry, out long timestampMs, out Guid requestId, out ReadOnlySpan<byte> command)
    {
        timestampMs = 0;
        requestId = Guid.Empty;
        command = default;
        if (entry.Length < HeaderSize || entry[0] != Version)
            return false;
        timestampMs = BinaryPrimitives.ReadInt64LittleEndian(entry[1..]);
        requestId = new Guid(entry.Slice(9, 16));
        command = entry[HeaderSize..];
        return true;
    }

    /// <summary>Whether <paramref name="entry"/> is a batch (version 2) entry.</summary>
    public static bool IsBatch(ReadOnlySpan<byte> entry) => !entry.IsEmpty && entry[0] == BatchVersion;

    /// <summary>Builds a batch entry from whole version-1 entries (as made by <see cref="Encode"/>), applied in this order.</summary>
    public static byte[] EncodeBatch(IReadOnlyList<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var size = BatchHeaderSize;
        foreach (var e in entries)
            size += 4 + e.Length;
        var buffer = new byte[size];
        buffer[0] = BatchVersion;
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(1), (uint)entries.Count);
        var at = BatchHeaderSize;
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), (uint)e.Length);
            e.CopyTo(buffer.AsSpan(at + 4));
            at += 4 + e.Length;
        }
        return buffer;
    }

    /// <summary>Reads the item count of a batch entry.</summary>
    /// <returns><c>false</c> when the entry is not a batch or its header is cut short.</returns>
    public static bool TryReadBatchCount(ReadOnlySpan<byte> entry, out int count)
    {
        count = 0;
        if (entry.Length < BatchHeaderSize || entry[0] != BatchVersion)
            return false;
        var raw = BinaryPrimitives.ReadUInt32LittleEndian(entry[1..]);
        if (raw > int.MaxValue)
            return false;
        count = (int)raw;
        return true;
    }

    /// <summary>
    /// Takes the next item of a batch: <paramref name="rest"/> starts at <see cref="BatchHeaderSize"/>
    /// of the entry and moves past the item.
    /// </summary>
    /// <returns><c>false</c> when the framing is cut short (the rest of the batch is unreadable).</returns>
    public static bool TryReadBatchItem(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> item)
    {
        item = default;
        if (rest.Length < 4)
            return false;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (length > (uint)(rest.Length - 4))
            return false;
        item = rest.Slice(4, (int)length);
        rest = rest[(4 + (int)length)..];
        return true;
    }
}
