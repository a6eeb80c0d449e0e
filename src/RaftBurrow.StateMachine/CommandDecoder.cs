using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>Decodes the command bytes of a log entry without ever throwing.</summary>
internal static class CommandDecoder
{
    public static Command? TryDecode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return CommandCodec.TryDecode(bytes);
        }
        catch (Exception)
        {
            // Undecodable bytes are a bug upstream, never a reason to stop applying the log.
            return null;
        }
    }
}
