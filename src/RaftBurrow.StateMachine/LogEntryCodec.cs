using System.Buffers.Binary;

namespace RaftBurrow.StateMachine;

/// <summary>
/// The envelope of every replicated log entry. Layout (version 1, little endian):
/// <c>[u8 version=1][i64 timestampMs][16 bytes requestId][command bytes…]</c>.
/// The command bytes are a <see cref="CommandCodec"/> payload. The leader stamps the timestamp and
/// the request id when it proposes; the state machine never reads a clock.
/// </summary>
public static class LogEntryCodec
{
    /// <summary>Current envelope version. A newer version is rejected, never guessed at.</summary>
    public const byte Version = 1;

    /// <summary>Size of the header before the command bytes.</summary>
    public const int HeaderSize = 1 + 8 + 16;

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
}
