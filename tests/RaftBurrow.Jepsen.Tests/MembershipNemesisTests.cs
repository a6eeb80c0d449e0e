using RaftBurrow.Jepsen.Cluster;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Nemesis;
using RaftBurrow.Jepsen.Runner;

namespace RaftBurrow.Jepsen.Tests;

/// <summary>The membership nemesis against a scripted cluster: what it sends, to whom, and what it does to the node.</summary>
public class MembershipNemesisTests
{
    /// <summary>Records admin requests and process actions; answers admin requests from a script.</summary>
    private sealed class ScriptedCluster : IClusterControl
    {
        public List<string> Log { get; } = [];
        public HashSet<int> Down { get; } = [];
        public Func<int, HttpMethod, string, int?> Answer { get; set; } = (_, _, _) => 200;

        public IReadOnlyList<int> NodeIds { get; } = [1, 2, 3];
        public int Partitions => 4;
        public IReadOnlyList<NodeSpec> Specs { get; } = [.. Enumerable.Range(1, 3).Select(i => new NodeSpec(i, 40004 + (i * 10), 40000 + (i * 10), "/d" + i, "/l" + i))];
        public string? CgroupPath(int node) => null;
        public void Kill(int node) { Log.Add($"kill {node}"); Down.Add(node); }
        public void KillAndWipe(int node) { Log.Add($"wipe {node}"); Down.Add(node); }
        public void Restart(int node, long? clockOffsetMs = null) { Log.Add($"start {node}"); Down.Remove(node); }
        public long ClockOffsetMs(int node) => 0;
        public bool IsUp(int node) => !Down.Contains(node);
        public void Pause(int node) { }
        public void Resume(int node) { }
        public IReadOnlyCollection<int> Paused => [];
        public Task<int?> LeaderOfAsync(int partition, CancellationToken ct) => Task.FromResult<int?>(1);

        public Task<(int? Status, string Body)> AdminSendAsync(int node, HttpMethod method, string pathAndQuery, string? json, TimeSpan timeout, CancellationToken ct)
        {
            if (Down.Contains(node))
            {
                return Task.FromResult<(int?, string)>((null, "connection refused"));
            }

            var status = Answer(node, method, pathAndQuery);
            if (pathAndQuery != "/healthz")
            {
                Log.Add($"{method.Method} {pathAndQuery} via {node} -> {status}{(json is null ? "" : " " + json)}");
            }

            return Task.FromResult<(int?, string)>((status, "{}"));
        }
    }

    private static (NemesisContext Ctx, List<FaultEvent> Events) Context(ScriptedCluster c)
    {
        var events = new List<FaultEvent>();
        return (new NemesisContext(c, new Random(3), new RunClock(), events.Add), events);
    }

    [Fact]
    public async Task A_node_is_removed_through_another_wiped_and_added_back_as_itself()
    {
        var c = new ScriptedCluster();
        var (ctx, events) = Context(c);
        var n = new MembershipNemesis(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        await n.StartAsync(ctx, CancellationToken.None);
        var victim = n.Removed!.Value;
        Assert.Matches($"^DELETE /admin/nodes/{victim} via [^{victim}] -> 200$", c.Log[0]);
        Assert.Equal($"wipe {victim}", c.Log[1]);
        Assert.False(c.IsUp(victim));

        await n.StopAsync(ctx, CancellationToken.None);
        Assert.Null(n.Removed);
        Assert.Equal($"start {victim}", c.Log[2]);
        Assert.StartsWith("POST /admin/nodes via ", c.Log[3], StringComparison.Ordinal);
        Assert.DoesNotContain($"via {victim}", c.Log[3], StringComparison.Ordinal);
        var spec = c.Specs[victim - 1];
        Assert.Contains($"\"id\":{victim}", c.Log[3], StringComparison.Ordinal);
        Assert.Contains($"\"httpUrl\":\"{spec.HttpUrl}\"", c.Log[3], StringComparison.Ordinal);
        Assert.Contains($"\"raftBasePort\":{spec.RaftBasePort}", c.Log[3], StringComparison.Ordinal);
        Assert.Equal(["start", "stop"], events.Select(e => e.Action));
    }

    [Fact]
    public async Task A_refused_removal_changes_nothing_and_a_pending_one_is_healed()
    {
        var c = new ScriptedCluster { Answer = (_, m, _) => m == HttpMethod.Delete ? 409 : 200 };
        var (ctx, events) = Context(c);
        var n = new MembershipNemesis(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        await n.StartAsync(ctx, CancellationToken.None);
        Assert.Null(n.Removed);
        Assert.Single(c.Log);
        Assert.Equal("skip", events.Single().Action);

        // Removed, then the run ends before the fault stops: the heal adds it back.
        c.Answer = (_, _, _) => 200;
        await n.StartAsync(ctx, CancellationToken.None);
        var victim = n.Removed!.Value;
        n.HealAll(ctx);
        Assert.Null(n.Removed);
        Assert.True(c.IsUp(victim));
        Assert.StartsWith("POST /admin/nodes", c.Log[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_add_refused_while_the_node_starts_is_retried()
    {
        var c = new ScriptedCluster();
        var (ctx, _) = Context(c);
        var n = new MembershipNemesis(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        await n.StartAsync(ctx, CancellationToken.None);
        var posts = 0;
        c.Answer = (_, m, _) => m == HttpMethod.Post && ++posts == 1 ? 409 : 200;
        await n.StopAsync(ctx, CancellationToken.None);
        Assert.Null(n.Removed);
        Assert.Equal(2, posts);
    }
}
