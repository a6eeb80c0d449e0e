using RaftBurrow.Jepsen.Cluster;
using RaftBurrow.Jepsen.Nemesis;

namespace RaftBurrow.Jepsen.Tests;

public class NemesisTests
{
    [Theory]
    [InlineData(1, 60_000, 10_000, 3)]
    [InlineData(2, 300_000, 10_000, 5)]
    [InlineData(3, 5_000, 1_000, 1)]
    public void Schedules_alternate_start_and_stop_within_the_time_limit(int seed, double limitMs, double intervalMs, int nemeses)
    {
        var s = NemesisSchedule.Generate(nemeses, limitMs, intervalMs, new Random(seed));
        Assert.NotEmpty(s);
        Assert.Equal(0, s.Count % 2);
        for (var i = 0; i < s.Count; i += 2)
        {
            Assert.True(s[i].Start);
            Assert.False(s[i + 1].Start);
            Assert.Equal(s[i].Nemesis, s[i + 1].Nemesis);
            Assert.True(s[i].AtMs < s[i + 1].AtMs);
            Assert.True(s[i + 1].AtMs <= limitMs);
            Assert.InRange(s[i].Nemesis, 0, nemeses - 1);
            if (i + 2 < s.Count)
            {
                Assert.True(s[i + 1].AtMs < s[i + 2].AtMs, "faults never overlap");
            }
        }
    }

    [Fact]
    public void Every_nemesis_gets_a_turn_before_any_repeats()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var starts = NemesisSchedule.Generate(3, 60_000, 8_000, new Random(seed)).Where(s => s.Start).Select(s => s.Nemesis).ToList();
            Assert.True(starts.Count >= 3, $"seed {seed}: {starts.Count} faults");
            Assert.Equal([0, 1, 2], starts.Take(3).Order());
        }
    }

    [Fact]
    public void Schedules_are_a_function_of_the_seed()
    {
        var a = NemesisSchedule.Generate(3, 120_000, 10_000, new Random(9));
        var b = NemesisSchedule.Generate(3, 120_000, 10_000, new Random(9));
        var c = NemesisSchedule.Generate(3, 120_000, 10_000, new Random(10));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Empty(NemesisSchedule.Generate(0, 120_000, 10_000, new Random(9)));
    }

    [Fact]
    public void Halves_cut_the_smaller_half_from_the_rest_both_ways()
    {
        var g = Grudge.Halves([1, 2, 3, 4, 5], new Random(1));
        var small = g.Drops.Select(d => d.From).GroupBy(x => x).Where(x => x.Count() == 3).Select(x => x.Key).ToList();
        Assert.Equal(2, small.Count);
        Assert.Equal(12, g.Drops.Count);
        Assert.All(g.Drops, d => Assert.Contains((d.To, d.From), g.Drops));
    }

    [Fact]
    public void Isolate_cuts_one_node_from_all_others()
    {
        var g = Grudge.Isolate([1, 2, 3], 2);
        Assert.Equal([(2, 1), (1, 2), (2, 3), (3, 2)], g.Drops.ToArray());
        Assert.Contains("isolate [2]", g.Description);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void The_bridge_node_talks_to_both_sides_that_cannot_talk_to_each_other(int n)
    {
        var nodes = Enumerable.Range(1, n).ToList();
        var g = Grudge.Bridge(nodes, new Random(4));
        var affected = g.Drops.SelectMany(d => new[] { d.From, d.To }).Distinct().ToList();
        var bridge = Assert.Single(nodes.Except(affected));
        Assert.DoesNotContain(g.Drops, d => d.From == bridge || d.To == bridge);
        Assert.Equal((n - 1) / 2 * ((n - 1) - ((n - 1) / 2)) * 2, g.Drops.Count);
    }

    [Fact]
    public void One_way_drops_only_one_direction()
    {
        var g = Grudge.OneWay([1, 2, 3], new Random(3));
        var from = g.Drops[0].From;
        Assert.All(g.Drops, d => Assert.Equal(from, d.From));
        Assert.Equal(2, g.Drops.Count);
    }

    [Fact]
    public void Iptables_commands_use_only_our_chain()
    {
        var chain = IptablesCommands.ChainName("20261126-031500-queue-s123456789012");
        Assert.StartsWith("RBJEPSEN-", chain);
        Assert.True(chain.Length <= 28);
        Assert.Equal([["-w", "-N", chain], ["-w", "-I", "OUTPUT", "1", "-j", chain]], IptablesCommands.Setup(chain));
        var drop = IptablesCommands.Drop(chain, "raftburrow-jepsen-r/n1", "127.0.0.2", 40000, 40004);
        Assert.Equal(2, drop.Count);
        Assert.Equal(["-w", "-A", chain, "-m", "cgroup", "--path", "raftburrow-jepsen-r/n1", "-d", "127.0.0.2/32", "-p", "tcp", "--dport", "40000:40004", "-j", "DROP"], drop[0]);
        Assert.Equal("udp", drop[1][10]);
        Assert.Equal([["-w", "-F", chain]], IptablesCommands.Flush(chain));
        Assert.Equal([["-w", "-D", "OUTPUT", "-j", chain], ["-w", "-F", chain], ["-w", "-X", chain]], IptablesCommands.Teardown(chain));
        Assert.All(IptablesCommands.Setup(chain).Concat(drop).Concat(IptablesCommands.Teardown(chain)), args => Assert.Contains(chain, args));
    }

    [Fact]
    public void Leftover_chains_are_found_in_iptables_S_output()
    {
        const string s = "-P INPUT ACCEPT\n-P OUTPUT ACCEPT\n-N DOCKER\n-N RBJEPSEN-abc\n-A OUTPUT -j RBJEPSEN-abc\n-N RBJEPSEN-def\n";
        Assert.Equal(["RBJEPSEN-abc", "RBJEPSEN-def"], IptablesCommands.OurChains(s));
    }

    [Fact]
    public void Majorities_and_clock_offsets()
    {
        var rng = new Random(1);
        Assert.Equal(2, Targets.Majority([1, 2, 3], rng).Count);
        Assert.Equal(3, Targets.Majority([1, 2, 3, 4, 5], rng).Distinct().Count());
        for (var i = 0; i < 100; i++)
        {
            var o = ClockNemesis.Offset(2000, rng);
            Assert.InRange(Math.Abs(o), 200, 2000);
        }
    }

    [Fact]
    public void Listening_ports_stay_below_the_ephemeral_range()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "32768\t60999\n");
            Assert.Equal((10000, 32768), PortAllocator.ListenRange(path));
            File.WriteAllText(path, "1024 60999\n");
            Assert.Equal((61000, 65535), PortAllocator.ListenRange(path));
            File.WriteAllText(path, "1024 65535\n");
            Assert.Equal((10000, 65535), PortAllocator.ListenRange(path));
            Assert.Equal((10000, 32768), PortAllocator.ListenRange(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Leader_move_paths_fill_the_template()
    {
        Assert.Equal("/admin/partitions/3/transfer?to=2", LeaderMoveNemesis.PathFor("/admin/partitions/{partition}/transfer?to={node}", 3, 2));
    }

    [Fact]
    public void Node_specs_and_server_environment_follow_the_configuration_doc()
    {
        var specs = new[]
        {
            new NodeSpec(1, 41004, 41000, "/d1", "/l1"),
            new NodeSpec(2, 42004, 42000, "/d2", "/l2"),
        };
        Assert.Equal("http://127.0.0.2:42004", specs[1].HttpUrl);
        Assert.Equal((42000, 42004), specs[1].PortRange(4));
        var env = ServerEnvironment.For(specs[1], specs, 4, -1500, unsafeAckBeforeCommit: false);
        Assert.Equal("2", env["RaftBurrow__NodeId"]);
        Assert.Equal("http://127.0.0.2:42004", env["RaftBurrow__HttpUrl"]);
        Assert.Equal("127.0.0.2", env["RaftBurrow__RaftAddress"]);
        Assert.Equal("42000", env["RaftBurrow__RaftBasePort"]);
        Assert.Equal("/d2", env["RaftBurrow__DataDir"]);
        Assert.Equal("4", env["RaftBurrow__Partitions"]);
        Assert.Equal("true", env["RaftBurrow__FaultInjection__Enabled"]);
        Assert.Equal("-1500", env["RaftBurrow__FaultInjection__ClockOffsetMs"]);
        Assert.Equal("false", env["RaftBurrow__FaultInjection__UnsafeAckBeforeCommit"]);
        Assert.Equal("1", env["RaftBurrow__Peers__0__Id"]);
        Assert.Equal("127.0.0.1", env["RaftBurrow__Peers__0__RaftAddress"]);
        Assert.Equal("41000", env["RaftBurrow__Peers__0__RaftBasePort"]);
        Assert.Equal("http://127.0.0.2:42004", env["RaftBurrow__Peers__1__HttpUrl"]);
        Assert.DoesNotContain(env.Values, v => v.Contains(":8888") || v == "9100");
        Assert.Equal("false", env["RaftBurrow__Join"]);
        Assert.Equal("true", ServerEnvironment.For(specs[1], specs, 4, 0, unsafeAckBeforeCommit: false, join: true)["RaftBurrow__Join"]);
        Assert.False(env.ContainsKey("RaftBurrow__SnapshotEveryEntries")); // server defaults unless asked
        var snapshotting = ServerEnvironment.For(specs[1], specs, 4, 0, unsafeAckBeforeCommit: false, snapshotEveryEntries: 40);
        Assert.Equal("40", snapshotting["RaftBurrow__SnapshotEveryEntries"]);
        Assert.Equal("65536", snapshotting["RaftBurrow__SnapshotMinLogBytes"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeSpec.AddressOf(0));
    }

    [Fact]
    public void Free_port_blocks_are_bindable_and_never_the_fixed_ports()
    {
        var start = PortAllocator.FindFreeBlock("127.0.0.3", 5, new Random(2));
        var (low, high) = PortAllocator.ListenRange();
        Assert.InRange(start, low, high - 5);
        Assert.True(start > 9100 + 64);
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse("127.0.0.3"), start + 4);
        l.Start();
        l.Stop();
    }
}
