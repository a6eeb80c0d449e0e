namespace RaftBurrow.Jepsen.Workloads;

/// <summary>A client workload: queues it uses, an optional setup, and one step per worker turn.</summary>
public interface IWorkload
{
    /// <summary>Name on the command line.</summary>
    string Name { get; }

    /// <summary>Queues touched (drained and checked at the end).</summary>
    IReadOnlyList<string> Queues { get; }

    /// <summary>Runs before the workers start (e.g. seeds messages).</summary>
    Task SetupAsync(OpRecorder ops, Worker w, CancellationToken ct);

    /// <summary>One step of one worker (may issue several operations, e.g. claim then deletes).</summary>
    Task StepAsync(OpRecorder ops, Worker w, CancellationToken ct);
}

/// <summary>Creates workloads by name.</summary>
public static class Workloads
{
    /// <summary>Known names.</summary>
    public static readonly IReadOnlyList<string> Names = ["queue", "fifo", "lease", "idempotent"];

    /// <summary>The workload called <paramref name="name"/>.</summary>
    public static IWorkload Create(string name, WorkloadOptions options) => name switch
    {
        "queue" => new QueueWorkload(options),
        "fifo" => new FifoWorkload(options),
        "lease" => new LeaseWorkload(options),
        "idempotent" => new IdempotentWorkload(),
        _ => throw new ArgumentException($"unknown workload '{name}' (known: {string.Join(", ", Names)})"),
    };

    /// <summary>Claims, then deletes each claimed message with its claim id (separate operations).</summary>
    internal static async Task ClaimAndDeleteAsync(OpRecorder ops, Worker w, string queue, int limit, CancellationToken ct)
    {
        var claim = await ops.ClaimAsync(w, queue, limit, ct);
        if (claim.Result != History.OpResult.Ok || claim.Messages is null)
        {
            return;
        }

        foreach (var m in claim.Messages)
        {
            if (m.Id is not null && m.ClaimId is not null && !ct.IsCancellationRequested)
            {
                await ops.DeleteAsync(w, queue, m.Id, m.ClaimId, ct);
            }
        }
    }
}
