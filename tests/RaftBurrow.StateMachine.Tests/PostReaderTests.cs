using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.Tests;

public class PostReaderTests
{
    private static readonly PostMessages Post = new()
    {
        Project = "p",
        Queue = "q",
        ClientId = Guid.Parse("3381af92-2b9e-11e3-b191-71861300734c"),
        IdempotencyKey = "key",
        Messages = [new NewMessage { TtlSeconds = 300, BodyJson = "{\"a\":1}"u8.ToArray() }, new NewMessage { DelaySeconds = 5, BodyJson = "[]"u8.ToArray() }, new NewMessage { TtlSeconds = int.MaxValue, DelaySeconds = -1, BodyJson = new byte[70_000] }],
    };

    [Fact]
    public void Reads_what_the_codec_writes()
    {
        var messages = new List<PostedMessage>();
        Assert.True(PostReader.TryRead(CommandCodec.Encode(Post), messages, out var read));
        Assert.Equal(("p", "q", Post.ClientId, "key"), (read.Project, read.Queue, read.ClientId, read.IdempotencyKey));
        Assert.Equal(3, messages.Count);
        Assert.Equal((300, (int?)null), (messages[0].TtlSeconds, messages[0].DelaySeconds));
        Assert.Equal("{\"a\":1}"u8.ToArray(), messages[0].Body.ToArray());
        Assert.Equal(((int?)null, 5), (messages[1].TtlSeconds, messages[1].DelaySeconds));
        Assert.Equal(70_000, messages[2].Body.Length);
        Assert.True(PostReader.TryRead(CommandCodec.Encode(Post with { IdempotencyKey = null, Messages = [] }), messages, out read));
        Assert.Null(read.IdempotencyKey);
        Assert.Empty(messages);
    }

    [Fact]
    public void Leaves_everything_else_to_the_general_decoder()
    {
        var messages = new List<PostedMessage>();
        Assert.False(PostReader.TryRead(CommandCodec.Encode(new DeleteQueue { Project = "p", Queue = "q" }), messages, out _));
        Assert.False(PostReader.TryRead(CommandCodec.Encode(Post with { Project = null! }), messages, out _));
        Assert.False(PostReader.TryRead(CommandCodec.Encode(Post with { Messages = null! }), messages, out _));
        Assert.False(PostReader.TryRead(CommandCodec.Encode(Post with { Messages = [null!] }), messages, out _));
        var bytes = CommandCodec.Encode(Post);
        Assert.False(PostReader.TryRead(bytes.AsMemory(0, bytes.Length - 3), messages, out _));
        Assert.False(PostReader.TryRead(new byte[] { 1 }, messages, out _));
        // The machine answers BadCommand for the malformed ones, through whichever path.
        var m = new QueueStateMachine(new QueueStateMachineOptions());
        Assert.Equal(ResultCode.BadCommand, ((CommandResult)m.Apply(1, LogEntryCodec.Encode(1, Guid.Empty, CommandCodec.Encode(Post with { Messages = [null!] })))!).Code);
        Assert.Equal(ResultCode.BadCommand, ((CommandResult)m.Apply(2, LogEntryCodec.Encode(1, Guid.Empty, bytes.AsSpan(0, bytes.Length - 3)))!).Code);
    }

    [Fact]
    public void Fast_and_general_paths_give_the_same_state_and_results()
    {
        var options = new QueueStateMachineOptions { PartitionId = 2 };
        var fast = new QueueStateMachine(options);
        var general = new QueueStateMachine(options);
        for (var i = 1; i <= 5; i++)
        {
            var post = Post with { Queue = "q" + (i % 2), IdempotencyKey = i == 3 ? null : "k" + (i % 3) };
            var requestId = new Guid(i, 0, 0, new byte[8]);
            var a = (CommandResult)fast.Apply(i, LogEntryCodec.Encode(1000 * i, requestId, CommandCodec.Encode(post)))!;
            var b = general.ApplyCommand(i, 1000 * i, requestId, post);
            Assert.Equal(CommandCodec.EncodeResult(b), CommandCodec.EncodeResult(a));
            Assert.Equal(general.StateHash(), fast.StateHash());
        }
    }
}
