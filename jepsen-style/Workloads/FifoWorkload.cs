namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// FIFO workload: one queue; even workers are producers posting increasing values one at a time,
/// odd workers pop. Enqueues and pops only, so the linearizability checker applies.
/// </summary>
public sealed class FifoWorkload : IWorkload
{
    /// <inheritdoc/>
    public string Name => "fifo";

    /// <inheritdoc/>
    public IReadOnlyList<string> Queues { get; } = ["jfifo"];

    /// <inheritdoc/>
    public Task SetupAsync(OpRecorder ops, Worker w, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StepAsync(OpRecorder ops, Worker w, CancellationToken ct)
    {
        var producer = w.Index % 2 == 0;
        if (producer)
        {
            await ops.EnqueueAsync(w, Queues[0], ops.NextValue(), null, ct);
        }
        else
        {
            await ops.PopAsync(w, Queues[0], 1 + w.Rng.Next(3), ct);
        }
    }
}
