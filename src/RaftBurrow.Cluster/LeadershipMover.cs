using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster;

/// <summary>
/// Moves partition leadership on an operator's request: to a chosen node (<see cref="TransferAsync"/>)
/// or evenly over the live nodes (<see cref="RebalanceAsync"/>). DotNext has no targeted transfer, so
/// a transfer puts every replica except the target's in standby for a few seconds (through
/// <see cref="LeadershipEndpoints"/> on each node) and makes the leader resign: the target is then the
/// only replica that may stand for election. Before the leader resigns it holds new log entries back
/// until the target has its whole log (else, under load, the target may be the only replica that
/// cannot win). Holds and pauses expire by themselves, so a coordinator that dies half-way leaves
/// nothing stuck. After a failed attempt the partition elects whoever can win before the next one.
/// The result is reported as observed, never assumed.
/// </summary>
/// <remarks>Threading: one transfer or rebalance at a time per node (a second waits).</remarks>
public sealed class LeadershipMover(ClusterRouter router, ILogger<LeadershipMover> logger) : IDisposable
{
    /// <summary>How long one attempt holds the other replicas in standby.</summary>
    public static readonly TimeSpan HoldTime = TimeSpan.FromSeconds(3);

    /// <summary>Longest time the leader holds new entries back while the target catches up.</summary>
    private static readonly TimeSpan PauseTime = TimeSpan.FromSeconds(1);

    /// <summary>Pause before the next attempt when the target did not catch up.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>After a failed attempt, how long to wait for any leader before the next one.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Makes <paramref name="toNodeId"/> lead <paramref name="partition"/>, retrying until <paramref name="timeout"/>.</summary>
    public async Task<TransferResult> TransferAsync(int partition, int toNodeId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await TransferCoreAsync(partition, toNodeId, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TransferResult> TransferCoreAsync(int partition, int toNodeId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var replica = router.Node.Partitions[partition];
        var from = replica.LeaderNodeId;
        var attempts = 0;
        while (replica.LeaderNodeId != toNodeId && Stopwatch.GetElapsedTime(started) < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            attempts++;
            var leader = replica.LeaderNodeId is { } id && router.Members.TryGetValue(id, out var m) ? m : null;
            var others = router.Members.Values.Where(m => m.Id != toNodeId).ToList();
            var targetBehind = false;
            try
            {
                if (leader is null)
                {
                    await Task.WhenAll(others.Select(m => SendHoldAsync(m, partition, hold: true, cancellationToken))).ConfigureAwait(false);
                }
                else
                {
                    // The target can win only with a log at least as up to date as a quorum's. Under
                    // load the leader's latest entries may have reached the other followers but not
                    // the target; then, with everybody else held in standby, no one can lead at all.
                    // So: bystanders first (they cannot campaign from now on), then the leader holds
                    // new entries back until the target has all of its log, and only then resigns.
                    await Task.WhenAll(others.Where(m => m.Id != leader.Id).Select(m => SendHoldAsync(m, partition, hold: true, cancellationToken))).ConfigureAwait(false);
                    if (await PauseAsync(leader, partition, cancellationToken).ConfigureAwait(false) is { } lastIndex
                        && !await WaitForCommitAsync(router.Members[toNodeId], partition, lastIndex, cancellationToken).ConfigureAwait(false))
                    {
                        // The target is down or far behind: deposing the leader now would most likely
                        // leave the partition without one. Lift the pause and holds, and try again.
                        targetBehind = true;
                    }
                    else
                    {
                        await SendHoldAsync(leader, partition, hold: true, cancellationToken).ConfigureAwait(false);
                    }
                }
                // The others resign/stand by; the target times out first (it is the only one allowed to campaign).
                var attemptEnd = Stopwatch.GetTimestamp();
                while (!targetBehind && replica.LeaderNodeId != toNodeId && Stopwatch.GetElapsedTime(attemptEnd) < HoldTime - TimeSpan.FromMilliseconds(500))
                {
                    var changed = replica.LeaderChanged;
                    await Task.WhenAny(changed, Task.Delay(50, cancellationToken)).ConfigureAwait(false);
                }
            }
            finally
            {
                await Task.WhenAll(others.Select(m => SendHoldAsync(m, partition, hold: false, CancellationToken.None))).ConfigureAwait(false);
            }
            if (targetBehind)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }
            // A failed attempt: let the partition elect whoever can win before the next one, so that
            // the new leader brings every log (the target's too) up to date and the partition is
            // not left without a leader between attempts.
            var settle = Stopwatch.GetTimestamp();
            while (replica.LeaderNodeId is null && Stopwatch.GetElapsedTime(settle) < SettleTime && Stopwatch.GetElapsedTime(started) < timeout)
            {
                var changed = replica.LeaderChanged;
                await Task.WhenAny(changed, Task.Delay(50, cancellationToken)).ConfigureAwait(false);
            }
        }
        var finalLeader = replica.LeaderNodeId;
        var result = new TransferResult(partition, toNodeId, from, finalLeader, finalLeader == toNodeId, attempts, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        logger.LogInformation("Leadership transfer of partition {Partition} from {From} to {To}: {Transferred} after {Attempts} attempts ({ElapsedMs} ms), leader now {Leader}",
            partition, from, toNodeId, result.Transferred, attempts, result.ElapsedMs, finalLeader);
        return result;
    }

    /// <summary>Asks the leader to hold new log entries back (<see cref="RaftPartition.PauseProposalsAsync"/>); its last index, or null when it could not.</summary>
    private async Task<long?> PauseAsync(ClusterMember leader, int partition, CancellationToken cancellationToken)
    {
        try
        {
            if (leader.Id == router.NodeId)
                return await router.Node.Partitions[partition].PauseProposalsAsync(PauseTime, cancellationToken).ConfigureAwait(false);
            var uri = new Uri($"{leader.HttpUrl.TrimEnd('/')}/internal/v1/partitions/{partition.ToString(CultureInfo.InvariantCulture)}/pause?ms="
                + ((int)PauseTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            using var response = await _http.PostAsync(uri, null, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // Not (or no longer) the leader, or a node without the pause: the transfer goes on
                // without it, and may need another attempt.
                logger.LogInformation("Pause of partition {Partition} on node {Node} answered {Status}", partition, leader.Id, (int)response.StatusCode);
                return null;
            }
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return body?["lastIndex"]?.GetValue<long>();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or NotLeaderException or JsonException or InvalidOperationException or FormatException)
        {
            logger.LogInformation("Pause of partition {Partition} on node {Node} failed: {Error}", partition, leader.Id, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Waits (a little less than <see cref="PauseTime"/>, so that the pause still holds) until
    /// <paramref name="member"/>'s replica has committed <paramref name="index"/>, so holds it; false if it did not.
    /// </summary>
    private async Task<bool> WaitForCommitAsync(ClusterMember member, int partition, long index, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < PauseTime - TimeSpan.FromMilliseconds(200))
        {
            if (await CommitIndexAsync(member, partition, cancellationToken).ConfigureAwait(false) >= index)
                return true;
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Node {Node} did not commit index {Index} of partition {Partition} in time: leadership stays", member.Id, index, partition);
        return false;
    }

    private async Task<long> CommitIndexAsync(ClusterMember member, int partition, CancellationToken cancellationToken)
    {
        if (member.Id == router.NodeId)
            return router.Node.Partitions[partition].Status(withHash: false).CommitIndex;
        try
        {
            using var response = await _http.GetAsync(new Uri($"{member.HttpUrl.TrimEnd('/')}/admin/cluster?hash=false"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return -1;
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return body?["partitions"]?.AsArray().FirstOrDefault(p => p?["partition"]?.GetValue<int>() == partition)?["commitIndex"]?.GetValue<long>() ?? -1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or FormatException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Spreads leadership over the live nodes until no node leads more than one partition more than
    /// another (each move is a <see cref="TransferAsync"/>), or until <paramref name="timeout"/>.
    /// </summary>
    public async Task<RebalanceResult> RebalanceAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var live = (await Task.WhenAll(router.Members.Values.Select(async m => (m.Id, Up: m.Id == router.NodeId || await IsLiveAsync(m, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false))
                .Where(x => x.Up).Select(x => x.Id).OrderBy(id => id).ToList();
            var moves = new List<TransferResult>();
            var failures = 0;
            while (Stopwatch.GetElapsedTime(started) < timeout && failures < router.PartitionCount)
            {
                var leaders = LeaderCounts(live);
                var most = leaders.MaxBy(kv => kv.Value);
                var least = leaders.MinBy(kv => kv.Value);
                if (most.Value - least.Value <= 1)
                    break;
                // Try each partition of the busiest node in turn, so that one stubborn partition does not stall the rest.
                var candidates = router.Node.Partitions.Where(p => p.LeaderNodeId == most.Key).Select(p => p.Partition).ToList();
                var partition = candidates[(moves.Count + failures) % candidates.Count];
                var remaining = timeout - Stopwatch.GetElapsedTime(started);
                var move = await TransferCoreAsync(partition, least.Key, remaining < TimeSpan.FromSeconds(5) ? remaining : TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                moves.Add(move);
                if (!move.Transferred)
                    failures++;
            }
            var final = LeaderCounts(live);
            var balanced = final.Count == 0 || final.Values.Max() - final.Values.Min() <= 1;
            return new RebalanceResult(balanced, live, final.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
                router.Node.Partitions.Count(p => p.LeaderNodeId is null), moves, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Dictionary<int, int> LeaderCounts(IReadOnlyList<int> live)
    {
        var counts = live.ToDictionary(id => id, _ => 0);
        foreach (var p in router.Node.Partitions)
        {
            if (p.LeaderNodeId is { } id && counts.TryGetValue(id, out var count))
                counts[id] = count + 1;
        }
        return counts;
    }

    private async Task<bool> IsLiveAsync(ClusterMember member, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"{member.HttpUrl.TrimEnd('/')}/healthz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task SendHoldAsync(ClusterMember member, int partition, bool hold, CancellationToken cancellationToken)
    {
        try
        {
            if (member.Id == router.NodeId)
            {
                var replica = router.Node.Partitions[partition];
                if (hold)
                    await replica.HoldStandbyAsync(HoldTime, cancellationToken).ConfigureAwait(false);
                else
                    await replica.ReleaseStandbyAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            var uri = new Uri($"{member.HttpUrl.TrimEnd('/')}/internal/v1/partitions/{partition.ToString(CultureInfo.InvariantCulture)}/standby"
                + (hold ? "?holdMs=" + ((int)HoldTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) : ""));
            using var request = new HttpRequestMessage(hold ? HttpMethod.Post : HttpMethod.Delete, uri);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                logger.LogWarning("Standby {Action} of partition {Partition} on node {Node} answered {Status}", hold ? "hold" : "release", partition, member.Id, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            // A dead node cannot campaign anyway; its hold (if any) ends by itself.
            logger.LogInformation("Standby {Action} of partition {Partition} on node {Node} failed: {Error}", hold ? "hold" : "release", partition, member.Id, e.Message);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }
}

/// <summary>The outcome of one leadership transfer, as observed by the coordinating node.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="To">The requested leader.</param>
/// <param name="From">The leader before, or null when there was none.</param>
/// <param name="LeaderNodeId">The leader after, or null when unknown.</param>
/// <param name="Transferred">Whether <paramref name="To"/> leads now.</param>
/// <param name="Attempts">Standby rounds used.</param>
/// <param name="ElapsedMs">Time taken, ms.</param>
public sealed record TransferResult(int Partition, int To, int? From, int? LeaderNodeId, bool Transferred, int Attempts, long ElapsedMs);

/// <summary>The outcome of a rebalance.</summary>
/// <param name="Balanced">Whether the live nodes' leader counts differ by at most one.</param>
/// <param name="LiveNodes">Nodes that answered /healthz.</param>
/// <param name="LeadersByNode">Partitions led per live node afterwards.</param>
/// <param name="PartitionsWithoutLeader">Partitions with no known leader afterwards.</param>
/// <param name="Moves">The transfers tried, in order.</param>
/// <param name="ElapsedMs">Time taken, ms.</param>
public sealed record RebalanceResult(bool Balanced, IReadOnlyList<int> LiveNodes, IReadOnlyDictionary<string, int> LeadersByNode,
    int PartitionsWithoutLeader, IReadOnlyList<TransferResult> Moves, long ElapsedMs);
