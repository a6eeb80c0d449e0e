using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster;

// Forwarding to the leader node over the internal endpoint (InternalEndpoints): the body is the
// request id (16 bytes) followed by the CommandCodec bytes; the answer is CommandCodec.EncodeResult
// bytes (200), 421 when the receiver is not the leader, 503 when it could not commit in time.
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

    /// <summary>The internal execute route.</summary>
    public const string ExecuteRoute = "/internal/v1/partitions/{partition:int}/execute";

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
