using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster;

// Forwarding to the leader node over the internal endpoints (InternalEndpoints). Batched (v2, the
// normal path): concurrent commands for one leader and partition share one request
// (ForwardBatcher, ForwardBatchCodec) and each gets its own outcome. Single (v1, kept for older
// nodes during a rolling upgrade and for operators): the body is the request id (16 bytes) followed
// by the CommandCodec bytes; the answer is CommandCodec.EncodeResult bytes (200), 421 when the
// receiver is not the leader, 503 when it could not commit in time.
// Forwarded requests carry X-RaftBurrow-Hops: 1 and are never forwarded again; the origin retries
// (same request id) against whichever node it learns leads next, until its deadline.
public sealed partial class ClusterRouter
{
    /// <summary>Header carrying the time the origin still waits, ms.</summary>
    public const string TimeoutHeader = "X-RaftBurrow-Timeout-Ms";

    /// <summary>Header counting how many times a command was forwarded (the internal endpoint executes
    /// a forwarded command locally or refuses it: at most one hop).</summary>
    public const string HopsHeader = "X-RaftBurrow-Hops";

    /// <summary>Header with which a non-leader names the leader it knows.</summary>
    public const string LeaderHeader = "X-RaftBurrow-Leader";

    /// <summary>The internal execute route (one command).</summary>
    public const string ExecuteRoute = "/internal/v1/partitions/{partition:int}/execute";

    /// <summary>The internal batched execute route (<see cref="ForwardBatchCodec"/>).</summary>
    public const string ExecuteBatchRoute = "/internal/v2/partitions/{partition:int}/execute";

    private readonly ConcurrentDictionary<(int Leader, int Partition), ForwardBatcher> _forwarders = new();

    /// <summary>Forwards through the batcher of (<paramref name="leader"/>, <paramref name="partition"/>).</summary>
    private Task<CommandResult?> ForwardBatchedAsync(ClusterMember leader, int partition, byte[] command, Guid requestId, int timeoutMs, CancellationToken cancellationToken)
    {
        var batcher = _forwarders.GetOrAdd((leader.Id, partition), static (key, router) =>
            new ForwardBatcher(key.Partition, router.SendBatchAsync, router.ForwardAsync, router._time,
                TimeSpan.FromMicroseconds(router._nodeOptions.GroupCommitLingerUs)), this);
        return batcher.ForwardAsync(leader, command, requestId, timeoutMs, cancellationToken);
    }

    /// <returns>One result (or null: re-route / retry) per item; null when the receiver has no batched endpoint.</returns>
    private async Task<IReadOnlyList<CommandResult?>?> SendBatchAsync(ClusterMember leader, int partition, IReadOnlyList<ForwardBatchCodec.Item> items, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{leader.HttpUrl.TrimEnd('/')}/internal/v2/partitions/{partition.ToString(CultureInfo.InvariantCulture)}/execute");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(ForwardBatchCodec.EncodeRequest(items)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add(HopsHeader, "1");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // An older node: no such route (404/405), or a batch version it does not know (400).
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.BadRequest)
            return null;
        var results = new CommandResult?[items.Count];
        // 421 (not the leader), 503 and anything else: every command re-routes or retries, as with v1.
        if (response.StatusCode != HttpStatusCode.OK)
            return results;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var answers = ForwardBatchCodec.TryDecodeAnswer(bytes, items.Count)
            ?? throw new HttpRequestException($"Node {leader.Id} answered a batch for partition {partition} with an undecodable body.");
        for (var i = 0; i < results.Length; i++)
        {
            if (answers[i].Outcome != ForwardOutcome.Ok)
                continue;
            results[i] = CommandCodec.TryDecodeResult(answers[i].Result)
                ?? throw new HttpRequestException($"Node {leader.Id} answered partition {partition} with an undecodable result.");
        }
        return results;
    }

    /// <returns>The leader's result; null when the receiver was not (or no longer) the leader or could not commit in time.</returns>
    private async Task<CommandResult?> ForwardAsync(ClusterMember leader, int partition, byte[] command, Guid requestId, int timeoutMs, CancellationToken cancellationToken)
    {
        var body = new byte[16 + command.Length];
        requestId.TryWriteBytes(body);
        command.CopyTo(body, 16);
        var uri = new Uri($"{leader.HttpUrl.TrimEnd('/')}/internal/v1/partitions/{partition.ToString(CultureInfo.InvariantCulture)}/execute");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add(TimeoutHeader, timeoutMs.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(HopsHeader, "1");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            return null;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return CommandCodec.TryDecodeResult(bytes)
            ?? throw new HttpRequestException($"Node {leader.Id} answered partition {partition} with an undecodable result.");
    }
}
