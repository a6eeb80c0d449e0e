using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine.Tests;

public class MessageIdTests
{
    [Theory]
    [InlineData(0, 1L)]
    [InlineData(7, 0x1234_5678_9abc_def0L)]
    [InlineData(int.MaxValue, long.MaxValue)]
    [InlineData(255, 4096L)]
    public void Format_is_24_lowercase_hex_and_parses_back(int partition, long seq)
    {
        var id = MessageIds.Format(partition, seq);
        Assert.Equal(partition.ToString("x8") + seq.ToString("x16"), id);
        Assert.Equal(seq, MessageIds.Parse(partition, id));
        Assert.Equal(-1, MessageIds.Parse(partition + 1, id));
        Assert.Equal(-1, MessageIds.Parse(partition, id.Replace('f', 'F').Replace('0', 'G')));
        Assert.Equal(-1, MessageIds.Parse(partition, id[..^1]));
        Assert.Equal(-1, MessageIds.Parse(partition, null));
    }
}
