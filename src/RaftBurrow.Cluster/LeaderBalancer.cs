using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Cluster;

/// <summary>
/// Spreads partition leadership evenly over the live nodes (DotNext piles leaders onto the first node
/// started). Every node runs one: when it leads more than ⌈P / live nodes⌉ partitions it moves one
/// away (standby + resign: it cannot win the next election; the others elect one of themselves),
/// then looks again a little later. Moves only leave nodes above the target, so the largest load
/// never grows and the spread settles.
/// </summary>
public sealed partial class LeaderBalancer(ClusterRouter router, TimeProvider time, ILogger<LeaderBalancer> logger) : BackgroundService
{
    private readonly HttpClient _probe = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromMilliseconds(500) }) { Timeout = TimeSpan.FromSeconds(1) };
    private int _nextPartition;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!router.Options.BalancerEnabled)
            return;
        var random = new Random(router.NodeId);
        var moved = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            // After a move, look again soon: a node that leads everything sheds one partition per round.
            var intervalMs = moved ? router.Options.BalancerIntervalMs / 4 : router.Options.BalancerIntervalMs;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(intervalMs * (0.75 + random.NextDouble() / 2)), time, stoppingToken).ConfigureAwait(false);
                moved = await MaybeMoveOneAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Leader balancing round failed");
            }
        }
    }

    /// <summary>Moves leadership of one partition away when this node leads more than its share; returns whether it moved one.</summary>
    internal async Task<bool> MaybeMoveOneAsync(CancellationToken cancellationToken)
    {
        var node = router.Node;
        var led = node.Partitions.Where(p => p.IsLeader).Select(p => p.Partition).ToList();
        if (led.Count <= 1 || router.Members.Count <= 1)
            return false;
        var live = 1 + await CountLivePeersAsync(cancellationToken).ConfigureAwait(false);
        var target = (router.PartitionCount + live - 1) / live;
        if (led.Count <= target)
            return false;
        // Rotate through the led partitions so one stubborn partition does not block the others.
        var partition = led[_nextPartition++ % led.Count];
        var moved = await node.Partitions[partition].StepDownAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Balancer: node {NodeId} led {Led} partitions (target {Target} over {Live} live nodes); partition {Partition} moved: {Moved}",
            router.NodeId, led.Count, target, live, partition, moved);
        return moved;
    }

    private async Task<int> CountLivePeersAsync(CancellationToken cancellationToken)
    {
        var probes = router.Members.Values.Where(m => m.Id != router.NodeId).Select(async member =>
        {
            try
            {
                using var response = await _probe.GetAsync(new Uri($"{member.HttpUrl.TrimEnd('/')}/healthz"), cancellationToken).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        });
        return (await Task.WhenAll(probes).ConfigureAwait(false)).Count(up => up);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _probe.Dispose();
        base.Dispose();
    }
}
