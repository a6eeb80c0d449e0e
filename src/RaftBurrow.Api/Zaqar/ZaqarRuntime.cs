using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Zaqar;

/// <summary>What every Zaqar handler uses, resolved once (a singleton): the queue service, the limits, the clock.</summary>
public sealed class ZaqarRuntime
{
    /// <summary>Creates the runtime.</summary>
    public ZaqarRuntime(IQueueService service, ZaqarOptions options, TimeProvider time, ILogger<ZaqarRuntime> logger)
    {
        Service = service;
        Options = options;
        Time = time;
        Logger = logger;
    }

    /// <summary>The cluster (or a test double).</summary>
    public IQueueService Service { get; }

    /// <summary>Limits and defaults.</summary>
    public ZaqarOptions Options { get; }

    /// <summary>The clock used for edge decisions (pre-signed URL expiry, long-poll deadlines).</summary>
    public TimeProvider Time { get; }

    /// <summary>Log of the front end.</summary>
    public ILogger Logger { get; }

    // Invariant: 0 <= _parked <= Options.MaxParkedWaiters between a successful TryEnterWait and its ExitWait.
    private int _parked;

    /// <summary>Long polls parked on this node now.</summary>
    public int ParkedWaiters => Volatile.Read(ref _parked);

    /// <summary>Takes a long-poll slot; false when all are taken.</summary>
    public bool TryEnterWait()
    {
        if (Interlocked.Increment(ref _parked) <= Options.MaxParkedWaiters)
            return true;
        Interlocked.Decrement(ref _parked);
        return false;
    }

    /// <summary>Returns a slot taken by <see cref="TryEnterWait"/>.</summary>
    public void ExitWait() => Interlocked.Decrement(ref _parked);
}
