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
}
