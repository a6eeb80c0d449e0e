namespace RaftBurrow.Jepsen.Zaqar;

/// <summary>
/// The Zaqar v2 calls the workloads make, addressed to one node. Implementations never throw for
/// server or network trouble: they classify it as fail (definitely not applied) or info (unknown).
/// </summary>
public interface IQueueApi
{
    /// <summary>POST /v2/queues/{q}/messages with one message whose body is {"v": value}.</summary>
    Task<ApiOutcome> EnqueueAsync(int node, string queue, string value, string? idempotencyKey, CancellationToken ct);

    /// <summary>POST /v2/queues/{q}/claims?limit=N.</summary>
    Task<ApiOutcome> ClaimAsync(int node, string queue, int limit, int ttlSeconds, int graceSeconds, CancellationToken ct);

    /// <summary>DELETE /v2/queues/{q}/messages/{id}?claim_id=C.</summary>
    Task<ApiOutcome> DeleteAsync(int node, string queue, string messageId, string claimId, CancellationToken ct);

    /// <summary>DELETE /v2/queues/{q}/claims/{C}.</summary>
    Task<ApiOutcome> ReleaseAsync(int node, string queue, string claimId, CancellationToken ct);

    /// <summary>DELETE /v2/queues/{q}/messages?pop=N.</summary>
    Task<ApiOutcome> PopAsync(int node, string queue, int limit, CancellationToken ct);

    /// <summary>GET /v2/queues/{q}/messages?include_claimed=true&amp;echo=true, following next links.</summary>
    Task<ApiOutcome> ReadAllAsync(int node, string queue, CancellationToken ct);
}
