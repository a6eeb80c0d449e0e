using RaftBurrow.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Issue 4's "Done when": python3-zaqarclient works against a 3-node cluster through any node.
/// tests/compat/zaqarclient_compat.py drives real raftburrow processes (never the in-process
/// test double): once through each node of a 3-node cluster, once with its calls spread over the
/// three nodes (writes on one node read back through another), and once against a single-node
/// server process.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ZaqarClientClusterTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        // The same key on every node: a grant made through one node is verified by another.
        ["Zaqar:SignedUrlSecretKey"] = "cluster-tests-signing-key",
    };

    [RequiresZaqarClientFact]
    public async Task Python_zaqarclient_passes_through_every_node_of_a_3_node_cluster()
    {
        await using var cluster = new ServerCluster(3, 4, Settings);
        await cluster.StartAllAsync();
        for (var node = 1; node <= 3; node++)
            await RunCompatAsync(cluster.BaseUri(node).ToString(), $"node {node}");
        var spread = string.Join(',', new[] { 2, 3, 1 }.Select(n => cluster.BaseUri(n).ToString()));
        await RunCompatAsync(spread, "spread over nodes 2, 3, 1");
        await cluster.WaitConvergedAsync();
    }

    [RequiresZaqarClientFact]
    public async Task Python_zaqarclient_passes_against_a_single_server_process()
    {
        await using var server = new ServerCluster(1, 4, Settings);
        await server.StartAllAsync();
        await RunCompatAsync(server.BaseUri(1).ToString(), "single node");
    }

    private async Task RunCompatAsync(string urls, string what)
    {
        var project = "compat-" + Guid.NewGuid().ToString("N")[..8];
        var (exitCode, log) = await PythonScript.RunAsync(
            PythonScript.WithZaqarClient!, [PythonScript.CompatScript("zaqarclient_compat.py"), urls, project], null, TimeSpan.FromMinutes(2));
        output.WriteLine($"--- {what} ({urls}):");
        output.WriteLine(log);
        Assert.True(exitCode == 0, $"zaqarclient_compat.py failed {what}:\n{log}");
        Assert.Contains("COMPAT PASSED", log, StringComparison.Ordinal);
    }
}
