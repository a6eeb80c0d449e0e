using MessagePack;
using MessagePack.Resolvers;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>
/// MessagePack codec for commands and results (the command bytes inside a <see cref="LogEntryCodec"/>
/// entry, and the bodies of forwarded requests and their answers). Layout (version 1):
/// <c>[u8 version=1][MessagePack union of Command]</c>.
/// </summary>
public static class CommandCodec
{
    /// <summary>Current command format version.</summary>
    public const byte Version = 1;

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(StandardResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The encoded <see cref="Expire"/> command.</summary>
    public static ReadOnlySpan<byte> ExpireCommandBytes => ExpireBytes;

    private static readonly byte[] ExpireBytes = Encode(new Expire());

    /// <summary>Encodes a command with its version prefix.</summary>
    public static byte[] Encode(Command command)
    {
        var body = MessagePackSerializer.Serialize<Command>(command, Options);
        var buffer = new byte[body.Length + 1];
        buffer[0] = Version;
        body.CopyTo(buffer, 1);
        return buffer;
    }

    /// <summary>Decodes a command; <c>null</c> when the bytes are not a command of a known version.</summary>
    public static Command? TryDecode(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length < 2 || bytes.Span[0] != Version)
            return null;
        try
        {
            return MessagePackSerializer.Deserialize<Command>(bytes[1..], Options);
        }
        catch (MessagePackSerializationException)
        {
            return null;
        }
    }

    /// <summary>Encodes a result (for forwarding to the node that took the request).</summary>
    public static byte[] EncodeResult(CommandResult result)
    {
        var body = MessagePackSerializer.Serialize<CommandResult>(result, Options);
        var buffer = new byte[body.Length + 1];
        buffer[0] = Version;
        body.CopyTo(buffer, 1);
        return buffer;
    }

    /// <summary>Decodes a result; <c>null</c> when the bytes are not a result of a known version.</summary>
    public static CommandResult? TryDecodeResult(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length < 2 || bytes.Span[0] != Version)
            return null;
        try
        {
            return MessagePackSerializer.Deserialize<CommandResult>(bytes[1..], Options);
        }
        catch (MessagePackSerializationException)
        {
            return null;
        }
    }
}
