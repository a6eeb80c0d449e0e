using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>Decodes the command bytes of a log entry without ever throwing.</summary>
internal static class CommandDecoder
{
    public static Command? TryDecode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return CommandCodec.TryDecode(bytes.ToArray());
        }
        catch (Exception)
        {
            // Undecodable bytes are a bug upstream, never a reason to stop applying the log.
            return null;
        }
    }
}
