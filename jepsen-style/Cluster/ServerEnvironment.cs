using System.Globalization;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>Builds the RaftBurrow__* environment of one node (keys of docs/configuration.md).</summary>
public static class ServerEnvironment
{
    /// <summary>Environment variables for <paramref name="self"/> in a cluster of <paramref name="all"/>.</summary>
    /// <param name="self">The node.</param>
    /// <param name="all">Every node of the initial membership (the peer list).</param>
    /// <param name="partitions">Partition count.</param>
    /// <param name="clockOffsetMs">Clock skew (fault injection).</param>
    /// <param name="unsafeAckBeforeCommit">Deliberately unsafe mode.</param>
    /// <param name="snapshotEveryEntries">Snapshot every this many entries and every 64 KiB of commands (null: server defaults).</param>
    /// <param name="join">Start as a joining node (RaftBurrow:Join): its groups wait, frozen, until POST /admin/nodes adds it; ignored by a node that holds a membership of its own.</param>
    public static Dictionary<string, string> For(NodeSpec self, IReadOnlyList<NodeSpec> all, int partitions, long clockOffsetMs, bool unsafeAckBeforeCommit, int? snapshotEveryEntries = null, bool join = false)
    {
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RaftBurrow__NodeId"] = I(self.Id),
            ["RaftBurrow__HttpUrl"] = self.HttpUrl,
            ["RaftBurrow__RaftAddress"] = self.Address,
            ["RaftBurrow__RaftBasePort"] = I(self.RaftBasePort),
            ["RaftBurrow__DataDir"] = self.DataDir,
            ["RaftBurrow__Partitions"] = I(partitions),
            ["RaftBurrow__FaultInjection__Enabled"] = "true",
            ["RaftBurrow__FaultInjection__ClockOffsetMs"] = I(clockOffsetMs),
            ["RaftBurrow__FaultInjection__UnsafeAckBeforeCommit"] = unsafeAckBeforeCommit ? "true" : "false",
            ["RaftBurrow__Join"] = join ? "true" : "false",
            ["ASPNETCORE_URLS"] = self.HttpUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_TieredPGO"] = "0",
        };
        if (snapshotEveryEntries is { } every)
        {
            env["RaftBurrow__SnapshotEveryEntries"] = I(every);
            env["RaftBurrow__SnapshotMinLogBytes"] = I(64 * 1024);
        }
        for (var i = 0; i < all.Count; i++)
        {
            var p = $"RaftBurrow__Peers__{I(i)}__";
            env[p + "Id"] = I(all[i].Id);
            env[p + "RaftAddress"] = all[i].Address;
            env[p + "RaftBasePort"] = I(all[i].RaftBasePort);
            env[p + "HttpUrl"] = all[i].HttpUrl;
            env[p + "Zone"] = "z" + I(all[i].Id);
        }

        return env;
    }
}
