using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.Tests;

public class CodecTests
{
    [Fact]
    public void Post_messages_round_trips_through_the_log_entry_envelope()
    {
        var command = new PostMessages
        {
            Project = "p",
            Queue = "q",
            ClientId = Guid.Parse("3381af92-2b9e-11e3-b191-71861300734c"),
            Messages = [new NewMessage { TtlSeconds = 300, BodyJson = "{\"a\":1}"u8.ToArray() }],
            IdempotencyKey = "k1",
        };
        var requestId = Guid.Parse("00000000-0000-0000-0000-000000000042");
        var entry = LogEntryCodec.Encode(1234, requestId, CommandCodec.Encode(command));

        Assert.True(LogEntryCodec.TryDecode(entry, out var ts, out var rid, out var bytes));
        Assert.Equal(1234, ts);
        Assert.Equal(requestId, rid);
        var decoded = Assert.IsType<PostMessages>(CommandCodec.TryDecode(bytes.ToArray()));
        Assert.Equal("p", decoded.Project);
        Assert.Equal("q", decoded.Queue);
        Assert.Equal("k1", decoded.IdempotencyKey);
        Assert.Equal(300, decoded.Messages[0].TtlSeconds);
        Assert.Equal("{\"a\":1}"u8.ToArray(), decoded.Messages[0].BodyJson);
    }

    [Fact]
    public void Unknown_versions_are_rejected()
    {
        var entry = LogEntryCodec.EncodeExpire(5);
        entry[0] = 2;
        Assert.False(LogEntryCodec.TryDecode(entry, out _, out _, out _));
        var cmd = CommandCodec.Encode(new Expire());
        cmd[0] = 9;
        Assert.Null(CommandCodec.TryDecode(cmd));
    }
}
