using System.Net;
using System.Text.Json;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace RaftBurrow.Consensus;

/// <summary>
/// <c>&lt;DataDir&gt;/partitions/&lt;p&gt;/raft-members.json</c>: the Raft endpoints of the last
/// configuration DotNext installed for this replica (format version 1: <c>{"version":1,"members":["ip:port" or "host:port",…]}</c>).
/// DotNext keeps the configuration in memory and in the log; the log entry may be compacted into a
/// snapshot, so without this file a restart would fall back to the configured peer list.
/// </summary>
internal sealed class RaftConfigurationFile(string path)
{
    private const int FormatVersion = 1;
    private readonly Lock _gate = new();

    /// <summary>The stored endpoints, or null when nothing was stored yet.</summary>
    public IReadOnlyList<EndPoint>? Load()
    {
        if (!File.Exists(path))
            return null;
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
        if (stored.version != FormatVersion)
            throw new InvalidDataException($"{path} has version {stored.version}; this build reads {FormatVersion}.");
        return stored.members.Select(m => RaftEndPoints.TryParse(m, out var endPoint) ? endPoint : throw new InvalidDataException($"{path}: '{m}' is not ip:port or host:port.")).ToList();
    }

    /// <summary>Persists an installed configuration (DotNext's <c>ConfigurationChanged</c> handler).</summary>
    public ValueTask SaveAsync(IClusterConfiguration<EndPoint> configuration, CancellationToken cancellationToken)
    {
        var members = configuration.Members.Where(e => e is IPEndPoint or DnsEndPoint).Select(RaftEndPoints.Format).Order(StringComparer.Ordinal).ToArray();
        lock (_gate)
        {
            var temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(new Stored(FormatVersion, members)));
            File.Move(temp, path, overwrite: true);
        }
        return ValueTask.CompletedTask;
    }

    private sealed record Stored(int version, string[] members);
}
