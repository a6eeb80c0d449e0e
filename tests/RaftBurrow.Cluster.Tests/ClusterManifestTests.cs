using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

public sealed class ClusterManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("raftburrow-manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_first_start_records_the_partition_count_and_later_starts_must_match_it()
    {
        var options = new RaftNodeOptions { DataDir = _dir, Partitions = 8 };
        Assert.Equal(8, ClusterManifest.CheckOrCreate(options).Partitions);
        Assert.True(File.Exists(Path.Combine(_dir, "cluster.json")));
        Assert.Equal(8, ClusterManifest.CheckOrCreate(options).Partitions);

        var changed = Assert.Throws<InvalidOperationException>(() => ClusterManifest.CheckOrCreate(new RaftNodeOptions { DataDir = _dir, Partitions = 16 }));
        Assert.Contains("8 partitions", changed.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ClusterManifest.CheckOrCreate(new RaftNodeOptions { DataDir = _dir, Partitions = 8, NodeId = 2, Peers = [new ClusterMember { Id = 2 }] }));
    }

    [Fact]
    public void Options_without_peers_describe_a_single_node_and_bad_settings_are_refused()
    {
        var options = new RaftNodeOptions();
        var member = Assert.Single(options.EffectiveMembers());
        Assert.Equal((1, "127.0.0.1", 9100, "http://127.0.0.1:8888"), (member.Id, member.RaftAddress, member.RaftBasePort, member.HttpUrl));
        Assert.Equal(8, options.Partitions);
        Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { Partitions = 0 }.Validate());
        Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { NodeId = 3, Peers = [new ClusterMember { Id = 1 }, new ClusterMember { Id = 2 }] }.Validate());
        Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { WalChunkSizeBytes = 4096 }.Validate());
    }

    [Theory]
    [InlineData("SharedMemory", false, WriteAheadLog.MemoryManagementStrategy.SharedMemory)]
    [InlineData("privatememory", false, WriteAheadLog.MemoryManagementStrategy.PrivateMemory)]
    [InlineData(" PrivateMemory ", true, WriteAheadLog.MemoryManagementStrategy.PrivateMemory)]
    public void The_wal_memory_strategy_is_a_case_insensitive_name(string value, bool noBuffering, WriteAheadLog.MemoryManagementStrategy expected)
    {
        var options = new RaftNodeOptions { WalMemory = value, WalNoBuffering = noBuffering };
        options.Validate();
        Assert.Equal(expected, options.EffectiveWalMemory);
    }

    [Theory]
    [InlineData("Private", false)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData("SharedMemory", true)]
    public void A_bad_wal_memory_setting_is_refused_with_the_key_in_the_message(string value, bool noBuffering)
    {
        Assert.Equal(WriteAheadLog.MemoryManagementStrategy.SharedMemory, new RaftNodeOptions().EffectiveWalMemory);
        var refused = Assert.Throws<InvalidOperationException>(() => new RaftNodeOptions { WalMemory = value, WalNoBuffering = noBuffering }.Validate());
        Assert.Contains(noBuffering ? "RaftBurrow:WalNoBuffering" : "RaftBurrow:WalMemory", refused.Message, StringComparison.Ordinal);
    }
}
