using System.Net;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>Raft addresses as IPs or host names (RaftEndPoints, RaftNodeOptions.Validate).</summary>
public sealed class RaftEndPointsTests
{
    [Fact]
    public void An_ip_stays_an_ip_endpoint_and_a_name_becomes_a_lower_cased_dns_endpoint()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9101), RaftEndPoints.Create("127.0.0.2", 9101));
        Assert.Equal(new DnsEndPoint("raftburrow-0.raftburrow.ns.svc.cluster.local", 9100), RaftEndPoints.Create("RaftBurrow-0.raftburrow.NS.svc.cluster.local", 9100));
        Assert.Throws<FormatException>(() => RaftEndPoints.Create("not a name!", 9100));
    }

    [Theory]
    [InlineData("127.0.0.1:9100")]
    [InlineData("[::1]:9100")]
    [InlineData("localhost:9100")]
    [InlineData("raftburrow-2.raftburrow:9107")]
    public void Format_and_TryParse_round_trip(string text)
    {
        Assert.True(RaftEndPoints.TryParse(text, out var endPoint));
        Assert.Equal(text, RaftEndPoints.Format(endPoint));
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData("bad name:9100")]
    public void TryParse_refuses_what_is_not_an_endpoint_with_a_port(string text) =>
        Assert.False(RaftEndPoints.TryParse(text, out _));

    [Fact]
    public void An_endpoint_matches_its_member_by_ip_or_by_name_ignoring_case()
    {
        Assert.True(RaftEndPoints.Matches(new IPEndPoint(IPAddress.Loopback, 9101), "127.0.0.1", 9101));
        Assert.False(RaftEndPoints.Matches(new IPEndPoint(IPAddress.Loopback, 9101), "localhost", 9101));
        Assert.True(RaftEndPoints.Matches(new DnsEndPoint("localhost", 9101), "LocalHost", 9101));
        Assert.False(RaftEndPoints.Matches(new DnsEndPoint("localhost", 9101), "localhost", 9102));
    }

    [Fact]
    public void Localhost_is_listened_on_as_127_0_0_1()
    {
        Assert.Equal(IPAddress.Loopback, RaftEndPoints.ResolveListenAddress("localhost"));
        Assert.Equal(IPAddress.Parse("127.0.0.3"), RaftEndPoints.ResolveListenAddress("127.0.0.3"));
    }

    [Fact]
    public void Validate_accepts_names_and_rejects_what_is_neither_an_ip_nor_a_name_with_a_clear_message()
    {
        var options = new RaftNodeOptions
        {
            NodeId = 1,
            Peers = [new ClusterMember { Id = 1, RaftAddress = "localhost" }, new ClusterMember { Id = 2, RaftAddress = "raftburrow-1.raftburrow" }],
        };
        options.Validate();
        options.Peers = [new ClusterMember { Id = 1, RaftAddress = "localhost" }, new ClusterMember { Id = 2, RaftAddress = "raft_burrow 1" }];
        var e = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains("'raft_burrow 1' of node 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stored_raft_configuration_keeps_names_and_ips()
    {
        var dir = Directory.CreateTempSubdirectory("raftburrow-members-");
        try
        {
            // DotNext's own in-memory storage builds the configuration object the ConfigurationChanged event hands over.
            var storage = (InMemoryClusterConfigurationStorage<EndPoint>)new RaftCluster.TcpConfiguration(new IPEndPoint(IPAddress.Loopback, 1)) { ConfigurationStorage = null! }.ConfigurationStorage;
            var builder = storage.CreateInitialConfigurationBuilder();
            builder.Add(new DnsEndPoint("localhost", 9100));
            builder.Add(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9100));
            builder.Build();
            var file = new RaftConfigurationFile(Path.Combine(dir.FullName, "raft-members.json"));
            await file.SaveAsync(await ((IClusterConfigurationStorage<EndPoint>)storage).LoadConfigurationAsync(), CancellationToken.None);
            Assert.Equal(new EndPoint[] { new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9100), new DnsEndPoint("localhost", 9100) }, file.Load());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
