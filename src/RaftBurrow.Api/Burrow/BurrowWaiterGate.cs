using Microsoft.Extensions.Options;

namespace RaftBurrow.Api.Burrow;

/// <summary>
/// Bounds how many long polls this node keeps parked (<see cref="BurrowOptions.MaxParkedWaiters"/>).
/// A parked request costs only a pending task, but each wake-up of a busy partition re-runs every
/// waiter's read, so the bound also caps that work.
/// </summary>
/// <remarks>Thread-safe; one instance per node (singleton).</remarks>
internal sealed class BurrowWaiterGate(IOptions<BurrowOptions> options)
{
    // Invariant: 0 <= _parked <= MaxParkedWaiters between a successful TryEnter and its Exit.
    private int _parked;

    /// <summary>Requests currently parked.</summary>
    public int Parked => Volatile.Read(ref _parked);

    /// <summary>Takes a slot; false when all are taken (the caller answers 503).</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _parked) <= options.Value.MaxParkedWaiters)
            return true;
        Interlocked.Decrement(ref _parked);
        return false;
    }

    /// <summary>Returns a slot taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _parked);
}

/// <summary>Too many parked long polls on this node (→ 503 with Retry-After).</summary>
internal sealed class BurrowWaitersExhaustedException(int limit)
    : Exception($"This node already holds {limit} waiting requests (Burrow:MaxParkedWaiters); retry later or use a smaller wait.");
