namespace RaftBurrow.Jepsen.Cluster;

/// <summary>Where one local server node lives: its loopback address, ports, data dir and log.</summary>
/// <param name="Id">1-based node id; the node binds 127.0.0.{Id}.</param>
/// <param name="HttpPort">REST port.</param>
/// <param name="RaftBasePort">Partition p's Raft endpoint is RaftBasePort + p.</param>
/// <param name="DataDir">The node's own data directory.</param>
/// <param name="LogPath">stdout and stderr of every incarnation, appended.</param>
public sealed record NodeSpec(int Id, int HttpPort, int RaftBasePort, string DataDir, string LogPath)
{
    /// <summary>127.0.0.{Id}.</summary>
    public string Address => AddressOf(Id);

    /// <summary>http://127.0.0.{Id}:{HttpPort}.</summary>
    public string HttpUrl => $"http://{Address}:{HttpPort}";

    /// <summary>Lowest and highest port the node listens on (Raft ports and HTTP), for firewall rules.</summary>
    public (int Low, int High) PortRange(int partitions) =>
        (Math.Min(HttpPort, RaftBasePort), Math.Max(HttpPort, RaftBasePort + partitions - 1));

    /// <summary>The loopback address of node <paramref name="id"/>.</summary>
    public static string AddressOf(int id) =>
        id is >= 1 and <= 254 ? $"127.0.0.{id}" : throw new ArgumentOutOfRangeException(nameof(id), "node ids are 1..254 (one loopback address each)");
}
