using RaftBurrow.Jepsen.Cli;

namespace RaftBurrow.Jepsen.Tests;

public class CommandLineTests
{
    [Fact]
    public void The_documented_test_options_parse()
    {
        var c = CommandLine.Parse(["test", "--nodes", "5", "--time-limit", "300", "--rate", "50", "--concurrency", "12", "--workload", "lease",
            "--nemesis", "kill:leader,pause,partition:bridge,clock", "--seed", "1234", "--server-binary", "/x/raftburrow", "--partitions=8", "--store", "/tmp/s", "--snapshot-every", "40"]);
        Assert.Equal("test", c.Command);
        var o = c.Options;
        Assert.Equal(5, o.Nodes);
        Assert.Equal(300, o.TimeLimitSeconds);
        Assert.Equal(50, o.Rate);
        Assert.Equal(12, o.Concurrency);
        Assert.Equal("lease", o.Workload);
        Assert.Equal(["kill:leader", "pause", "partition:bridge", "clock"], o.Nemeses);
        Assert.Equal(1234, o.Seed);
        Assert.True(o.SeedGiven);
        Assert.Equal("/x/raftburrow", o.ServerBinary);
        Assert.Equal(8, o.Partitions);
        Assert.Equal("/tmp/s", o.Store);
        Assert.Equal(40, o.SnapshotEveryEntries);
        Assert.Equal(2 * 2000 + 1000, o.EffectiveLeaseSkewBoundMs);
    }

    [Fact]
    public void Defaults_and_a_random_seed_when_none_is_given()
    {
        var o = CommandLine.Parse(["test"]).Options;
        Assert.Equal(3, o.Nodes);
        Assert.Equal("queue", o.Workload);
        Assert.Empty(o.Nemeses);
        Assert.False(o.SeedGiven);
        Assert.True(o.Seed > 0);
        Assert.Equal(1000, o.EffectiveLeaseSkewBoundMs);
        Assert.Null(o.SnapshotEveryEntries);
        Assert.Empty(CommandLine.Parse(["test", "--nemesis", "none"]).Options.Nemeses);
    }

    [Theory]
    [InlineData("--nemesis", "earthquake")]
    [InlineData("--nemesis", "kill:everyone")]
    [InlineData("--workload", "banana")]
    [InlineData("--consumer", "steal")]
    [InlineData("--nodes", "0")]
    [InlineData("--rate", "fast")]
    [InlineData("--snapshot-every", "1")]
    [InlineData("--colour", "red")]
    public void Bad_options_are_rejected_with_a_message(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["test", name, value]));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Flags_need_no_value_and_other_commands_parse()
    {
        var o = CommandLine.Parse(["test", "--build", "--unsafe-ack-before-commit", "--seed", "3"]).Options;
        Assert.True(o.Build);
        Assert.True(o.UnsafeAckBeforeCommit);
        Assert.Equal(["store/x"], CommandLine.Parse(["check", "store/x"]).Positional);
        Assert.Equal("cleanup", CommandLine.Parse(["cleanup"]).Command);
        Assert.Equal("help", CommandLine.Parse([]).Command);
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["frobnicate"]));
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["test", "--seed"]));
    }

    [Fact]
    public void Consumer_mode_and_the_membership_nemesis_parse()
    {
        var o = CommandLine.Parse(["test", "--consumer", "claim", "--nemesis", "kill,membership"]).Options;
        Assert.Equal("claim", o.Consumer);
        Assert.Equal(["kill", "membership"], o.Nemeses);
        Assert.Null(CommandLine.Parse(["test"]).Options.Consumer);
    }

    [Fact]
    public void Endpoints_set_the_node_count()
    {
        var o = CommandLine.Parse(["test", "--endpoints", "http://127.0.0.1:1,http://127.0.0.2:2"]).Options;
        Assert.Equal(2, o.Nodes);
        Assert.Equal(2, o.Endpoints.Count);
    }
}
