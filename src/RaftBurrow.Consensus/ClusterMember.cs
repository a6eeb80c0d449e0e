using System.Net;

namespace RaftBurrow.Consensus;

/// <summary>
/// One member of the cluster as configured (<c>RaftBurrow:Peers:i:*</c>). Every node hosts a replica
/// of every partition; partition p of this member listens on <see cref="RaftBasePort"/> + p.
/// </summary>
public sealed class ClusterMember
{
    /// <summary>Node id, 1-based, unique in the cluster.</summary>
    public int Id { get; set; }

    /// <summary>IP address or DNS host name of the member's Raft groups (a name is resolved when connecting; see <see cref="RaftEndPoints"/>).</summary>
    public string RaftAddress { get; set; } = "127.0.0.1";

    /// <summary>Partition p listens on this port + p.</summary>
    public int RaftBasePort { get; set; } = 9100;

    /// <summary>Where the member serves REST and the internal forwarding endpoint.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8888";

    /// <summary>Failure zone (informational today; placement later).</summary>
    public string? Zone { get; set; }

    /// <summary>The Raft endpoint of this member for <paramref name="partition"/>: an <see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/> for a host name.</summary>
    public EndPoint RaftEndPoint(int partition) => RaftEndPoints.Create(RaftAddress, RaftBasePort + partition);
}
