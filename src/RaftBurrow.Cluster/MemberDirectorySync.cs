using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster;

/// <summary>
/// Learns members this node missed: a node that was down while another was added has the new
/// member in its Raft configurations (from the log) but not its HTTP URL, so it could not forward to
/// it. Every few seconds, if some replica's configuration holds an endpoint of no known member, this
/// asks the known members for their <c>GET /admin/cluster</c> and records the member that owns it.
/// </summary>
public sealed class MemberDirectorySync(ClusterRouter router, TimeProvider time, ILogger<MemberDirectorySync> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromMilliseconds(500) }) { Timeout = TimeSpan.FromSeconds(2) };

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Member directory sync failed");
            }
        }
    }

    private async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        RaftNode node;
        try
        {
            node = router.Node;
        }
        catch (ClusterUnavailableException)
        {
            return;
        }
        var unknown = node.Partitions.SelectMany(p => p.ConfigurationMembers.Where(e => router.Directory.IdOf(e, p.Partition) is null)
            .Select(e => (Partition: p.Partition, EndPoint: e))).ToList();
        if (unknown.Count == 0)
            return;
        foreach (var peer in router.Members.Values.Where(m => m.Id != router.NodeId))
        {
            List<ClusterMember>? nodes;
            try
            {
                await using var stream = await _http.GetStreamAsync(new Uri($"{peer.HttpUrl.TrimEnd('/')}/admin/cluster?hash=false"), cancellationToken).ConfigureAwait(false);
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                nodes = document.RootElement.GetProperty("nodes").Deserialize<List<ClusterMember>>(Json);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                continue;
            }
            foreach (var member in nodes ?? [])
            {
                if (unknown.Any(u => RaftEndPoints.Matches(u.EndPoint, member.RaftAddress, member.RaftBasePort + u.Partition))
                    && router.Directory.Upsert(member))
                {
                    logger.LogInformation("Learned member {NodeId} ({HttpUrl}) from node {Peer}", member.Id, member.HttpUrl, peer.Id);
                }
            }
            return;
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
