using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster;

/// <summary>
/// Adds and removes cluster nodes at run time (<c>POST /admin/nodes</c>, <c>DELETE /admin/nodes/{id}</c>):
/// one partition at a time, each change made by that partition's leader (locally or through
/// <see cref="MembershipEndpoints"/> on the leader node) and waited for until committed.
/// </summary>
/// <remarks>
/// Safety: every step is idempotent (a partition that already has, or no longer has, the member is
/// skipped), so a request interrupted by a failure — of this node, a leader, the network — is
/// resumed by sending it again. A removal is refused up front when, for any partition, the live
/// members left would not be a majority of the new configuration. The member directory (HTTP URLs
/// for forwarding) learns an added node before any partition does, and forgets a removed node only
/// after every partition did.
/// Threading: one change at a time per node (a second waits).
/// </remarks>
public sealed class MembershipCoordinator(ClusterRouter router, LeadershipMover mover, ILogger<MembershipCoordinator> logger) : IDisposable
{
    /// <summary>How long one partition's change may take (catch-up of the new replica included).</summary>
    public static readonly TimeSpan PartitionTimeout = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(40) };
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Adds <paramref name="member"/> (already running with <c>RaftBurrow:Join=true</c>) to every partition.</summary>
    /// <exception cref="ArgumentException">The description is invalid.</exception>
    /// <exception cref="MembershipRefusedException">The change is refused (conflict, node unreachable, no commit in time).</exception>
    public async Task<MembershipResult> AddNodeAsync(ClusterMember member, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(member);
        Validate(member);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (router.Members.TryGetValue(member.Id, out var existing) && !MemberDirectory.SameAddresses(existing, member))
                throw new MembershipRefusedException($"Node {member.Id} is already a member with other addresses ({existing.HttpUrl}, {existing.RaftAddress}:{existing.RaftBasePort}).");
            var clash = router.Members.Values.FirstOrDefault(m => m.Id != member.Id && (string.Equals(m.HttpUrl.TrimEnd('/'), member.HttpUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
                || (string.Equals(m.RaftAddress, member.RaftAddress, StringComparison.OrdinalIgnoreCase) && Math.Abs(m.RaftBasePort - member.RaftBasePort) < router.PartitionCount)));
            if (clash is not null)
                throw new MembershipRefusedException($"Node {clash.Id} already uses that HTTP URL or Raft ports.");
            if (!await IsLiveAsync(member, cancellationToken).ConfigureAwait(false))
                throw new MembershipRefusedException($"Node {member.Id} does not answer at {member.HttpUrl}/healthz: start it first (with RaftBurrow:Join=true and the current members as peers).");

            // The directory first: forwarding must know the new node's URL before it can lead anything.
            router.Directory.Upsert(member);
            var uninformed = await BroadcastAsync(m => Post(m, "/internal/v1/members", member), cancellationToken).ConfigureAwait(false);
            var partitions = new List<PartitionChange>();
            for (var p = 0; p < router.PartitionCount; p++)
                partitions.Add(await ChangeOnLeaderAsync(p, member.RaftEndPoint(p), add: true, cancellationToken).ConfigureAwait(false));
            logger.LogInformation("Node {NodeId} added to {Partitions} partitions ({Changed} changed)", member.Id, partitions.Count, partitions.Count(c => c.Changed));
            return new MembershipResult(member.Id, "added", partitions, uninformed, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes node <paramref name="id"/> from every partition, then from the directory.</summary>
    /// <exception cref="ArgumentException">The id is this node's (ask another node).</exception>
    /// <exception cref="MembershipRefusedException">Refused (a partition would lose its quorum) or not committed in time.</exception>
    public async Task<MembershipResult> RemoveNodeAsync(int id, CancellationToken cancellationToken)
    {
        if (id == router.NodeId)
            throw new ArgumentException($"Node {id} is the node handling this request: send the removal to another node.", nameof(id));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (!router.Members.TryGetValue(id, out var member))
                return new MembershipResult(id, "not a member", [], [], 0);

            // Refuse before changing anything if any partition would be left without a live majority.
            var live = new Dictionary<int, bool>();
            foreach (var m in router.Members.Values)
                live[m.Id] = m.Id == router.NodeId || await IsLiveAsync(m, cancellationToken).ConfigureAwait(false);
            for (var p = 0; p < router.PartitionCount; p++)
            {
                var remaining = router.Node.Partitions[p].ConfigurationMemberIds.Where(m => m != id).ToList();
                var liveLeft = remaining.Count(m => m is { } known && live.GetValueOrDefault(known));
                if (remaining.Count == 0 || liveLeft < remaining.Count / 2 + 1)
                    throw new MembershipRefusedException(
                        $"Removing node {id} would leave partition {p} with {liveLeft} live of {remaining.Count} members, not a majority: bring members back first.");
            }

            var partitions = new List<PartitionChange>();
            for (var p = 0; p < router.PartitionCount; p++)
            {
                var replica = router.Node.Partitions[p];
                if (replica.LeaderNodeId == id && live.Where(kv => kv.Value && kv.Key != id).Select(kv => kv.Key).FirstOrDefault() is var to and not 0)
                {
                    // The leaving node should not drive its own removal: move the leadership first.
                    await mover.TransferAsync(p, to, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                }
                partitions.Add(await ChangeOnLeaderAsync(p, member.RaftEndPoint(p), add: false, cancellationToken).ConfigureAwait(false));
            }
            router.Directory.Remove(id);
            var uninformed = await BroadcastAsync(m => new HttpRequestMessage(HttpMethod.Delete,
                new Uri($"{m.HttpUrl.TrimEnd('/')}/internal/v1/members/{id.ToString(CultureInfo.InvariantCulture)}")), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Node {NodeId} removed from {Partitions} partitions ({Changed} changed)", id, partitions.Count, partitions.Count(c => c.Changed));
            return new MembershipResult(id, "removed", partitions, uninformed, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<PartitionChange> ChangeOnLeaderAsync(int partition, EndPoint endPoint, bool add, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        string? last = null;
        while (Stopwatch.GetElapsedTime(started) < PartitionTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var replica = router.Node.Partitions[partition];
            var leaderChanged = replica.LeaderChanged;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(PartitionTimeout - Stopwatch.GetElapsedTime(started));
            try
            {
                if (replica.IsLeader)
                    return new PartitionChange(partition, await replica.ChangeMembershipAsync(endPoint, add, attempt.Token).ConfigureAwait(false), replica.LeaderNodeId, last);
                if (replica.LeaderNodeId is { } leaderId && router.Members.TryGetValue(leaderId, out var leader))
                {
                    var uri = new Uri($"{leader.HttpUrl.TrimEnd('/')}/internal/v1/partitions/{partition.ToString(CultureInfo.InvariantCulture)}/membership"
                        + $"?op={(add ? "add" : "remove")}&endpoint={Uri.EscapeDataString(RaftEndPoints.Format(endPoint))}");
                    using var response = await _http.PostAsync(uri, null, attempt.Token).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(attempt.Token).ConfigureAwait(false);
                        return new PartitionChange(partition, answer.GetProperty("changed").GetBoolean(), leaderId, last);
                    }
                    last = $"node {leaderId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false)}";
                }
                else
                {
                    last = "no known leader";
                }
            }
            catch (NotLeaderException e)
            {
                last = e.Message;
            }
            catch (InvalidOperationException e)
            {
                last = e.Message;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = e.Message;
            }
            await Task.WhenAny(leaderChanged, Task.Delay(200, cancellationToken)).ConfigureAwait(false);
        }
        throw new MembershipRefusedException($"Partition {partition}: the {(add ? "addition" : "removal")} of {endPoint} was not committed within {PartitionTimeout.TotalSeconds:0} s ({last}). " +
            "Partitions before it are changed; send the same request again to resume.");
    }

    private static HttpRequestMessage Post(ClusterMember target, string path, ClusterMember body) =>
        new(HttpMethod.Post, new Uri($"{target.HttpUrl.TrimEnd('/')}{path}")) { Content = JsonContent.Create(body, options: Json) };

    /// <summary>Sends a directory update to every other member; returns the ids that did not take it.</summary>
    private async Task<IReadOnlyList<int>> BroadcastAsync(Func<ClusterMember, HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        var targets = router.Members.Values.Where(m => m.Id != router.NodeId).ToList();
        var results = await Task.WhenAll(targets.Select(async m =>
        {
            try
            {
                using var message = request(m);
                using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
                return response.IsSuccessStatusCode ? 0 : m.Id;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return m.Id;
            }
        })).ConfigureAwait(false);
        return results.Where(id => id != 0).ToList();
    }

    private async Task<bool> IsLiveAsync(ClusterMember member, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await _http.GetAsync(new Uri($"{member.HttpUrl.TrimEnd('/')}/healthz"), timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private void Validate(ClusterMember member)
    {
        if (member.Id < 1)
            throw new ArgumentException("id must be ≥ 1.", nameof(member));
        if (!Uri.TryCreate(member.HttpUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("httpUrl must be an absolute http(s) URL.", nameof(member));
        if (!RaftEndPoints.IsValidAddress(member.RaftAddress))
            throw new ArgumentException("raftAddress must be an IP address or a DNS host name.", nameof(member));
        if (member.RaftBasePort < 1 || member.RaftBasePort + router.PartitionCount - 1 > 65535)
            throw new ArgumentException($"raftBasePort must leave room for {router.PartitionCount} ports below 65536.", nameof(member));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }
}

/// <summary>A membership change was refused or did not complete; the message says which and why.</summary>
public sealed class MembershipRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MembershipRefusedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public MembershipRefusedException() { }

    /// <summary>Creates the exception.</summary>
    public MembershipRefusedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>One partition's part of a membership change.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Changed">Whether this request committed a change (false: it was already done).</param>
/// <param name="LeaderNodeId">The leader that made it.</param>
/// <param name="RetriedAfter">Why the last failed attempt before the successful one failed, or null.</param>
public sealed record PartitionChange(int Partition, bool Changed, int? LeaderNodeId, string? RetriedAfter);

/// <summary>The outcome of <c>POST /admin/nodes</c> or <c>DELETE /admin/nodes/{id}</c>.</summary>
/// <param name="NodeId">The node added or removed.</param>
/// <param name="Outcome">added, removed, or not a member.</param>
/// <param name="Partitions">Per partition, what happened.</param>
/// <param name="Uninformed">Members whose directory could not be updated now (they learn at their next change).</param>
/// <param name="ElapsedMs">Time taken, ms.</param>
public sealed record MembershipResult(int NodeId, string Outcome, IReadOnlyList<PartitionChange> Partitions, IReadOnlyList<int> Uninformed, long ElapsedMs);
