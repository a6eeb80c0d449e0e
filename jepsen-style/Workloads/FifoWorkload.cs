namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// FIFO workload: one queue; even workers are producers posting increasing values one at a time,
/// odd workers consume. By default they pop (enqueues and pops only, so the linearizability
/// checker applies); with <see cref="WorkloadOptions.Consumer"/> "claim" they claim and delete
/// (nothing leaves the queue unseen, so total-queue always decides; the fifo checker still judges
/// order, linearizability is skipped), with "mixed" they do either.
/// </summary>
public sealed class FifoWorkload(WorkloadOptions? options = null) : IWorkload
{
    private readonly string _consumer = options?.Consumer ?? "pop";

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
        else if (_consumer == "claim" || (_consumer == "mixed" && w.Rng.Next(2) == 0))
        {
            await Workloads.ClaimAndDeleteAsync(ops, w, Queues[0], 1 + w.Rng.Next(3), ct);
        }
        else
        {
            await ops.PopAsync(w, Queues[0], 1 + w.Rng.Next(3), ct);
        }
    }
}
