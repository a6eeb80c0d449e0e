using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Tests;

/// <summary>Deliberate bugs the in-memory queue can have, to prove the checkers notice them.</summary>
internal enum Bug
{
    None,
    LoseEveryFifthAck,
    PushSomeToFront,
    IgnoreClaims,
    IgnoreIdempotencyKey,
}

/// <summary>An in-process Zaqar-like queue (single node, no time passing) behind <see cref="IQueueApi"/>.</summary>
internal sealed class InMemoryQueueApi(Bug bug = Bug.None) : IQueueApi
{
    private sealed class Msg
    {
        public required string Id;
        public required string Value;
        public string? ClaimId;
    }

    private readonly Dictionary<string, List<Msg>> _queues = [];
    private readonly Dictionary<string, string> _keys = [];
    private readonly Lock _gate = new();
    private int _next;
    private int _acks;

    private List<Msg> Q(string name) => _queues.TryGetValue(name, out var q) ? q : _queues[name] = [];

    public Task<ApiOutcome> EnqueueAsync(int node, string queue, string value, string? idempotencyKey, CancellationToken ct)
    {
        lock (_gate)
        {
            if (idempotencyKey is not null && bug != Bug.IgnoreIdempotencyKey && _keys.TryGetValue(queue + "/" + idempotencyKey, out var existing))
            {
                return Task.FromResult(ApiOutcome.Ok(201, [existing]));
            }

            var msg = new Msg { Id = "id" + (++_next), Value = value };
            if (idempotencyKey is not null)
            {
                _keys[queue + "/" + idempotencyKey] = msg.Id;
            }

            var lose = bug == Bug.LoseEveryFifthAck && ++_acks % 5 == 0;
            if (!lose)
            {
                if (bug == Bug.PushSomeToFront && _next % 4 == 0)
                {
                    Q(queue).Insert(0, msg);
                }
                else
                {
                    Q(queue).Add(msg);
                }
            }

            return Task.FromResult(ApiOutcome.Ok(201, [msg.Id]));
        }
    }

    public Task<ApiOutcome> ClaimAsync(int node, string queue, int limit, int ttlSeconds, int graceSeconds, CancellationToken ct)
    {
        lock (_gate)
        {
            var claimId = "c" + (++_next);
            var taken = Q(queue).Where(m => m.ClaimId is null || bug == Bug.IgnoreClaims).Take(limit).ToList();
            foreach (var m in taken)
            {
                m.ClaimId = claimId;
            }

            return Task.FromResult(taken.Count == 0
                ? ApiOutcome.Ok(204, messages: [])
                : ApiOutcome.Ok(201, messages: taken.Select(m => new DeliveredMessage(m.Id, claimId, m.Value)).ToList()));
        }
    }

    public Task<ApiOutcome> DeleteAsync(int node, string queue, string messageId, string claimId, CancellationToken ct)
    {
        lock (_gate)
        {
            var removed = Q(queue).RemoveAll(m => m.Id == messageId && m.ClaimId == claimId);
            return Task.FromResult(removed > 0 ? ApiOutcome.Ok(204) : ApiOutcome.Fail("403 not your claim", 403));
        }
    }

    public Task<ApiOutcome> ReleaseAsync(int node, string queue, string claimId, CancellationToken ct)
    {
        lock (_gate)
        {
            foreach (var m in Q(queue).Where(m => m.ClaimId == claimId))
            {
                m.ClaimId = null;
            }

            return Task.FromResult(ApiOutcome.Ok(204));
        }
    }

    public Task<ApiOutcome> PopAsync(int node, string queue, int limit, CancellationToken ct)
    {
        lock (_gate)
        {
            var taken = Q(queue).Where(m => m.ClaimId is null).Take(limit).ToList();
            foreach (var m in taken)
            {
                Q(queue).Remove(m);
            }

            return Task.FromResult(ApiOutcome.Ok(200, messages: taken.Select(m => new DeliveredMessage(m.Id, null, m.Value)).ToList()));
        }
    }

    public Task<ApiOutcome> ReadAllAsync(int node, string queue, CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult(ApiOutcome.Ok(200, messages: Q(queue).Select(m => new DeliveredMessage(m.Id, m.ClaimId, m.Value)).ToList()));
        }
    }
}
