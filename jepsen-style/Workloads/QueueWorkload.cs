namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// Total-queue workload: producers post unique values to a few queues; consumers claim and delete
/// (or, for a share of steps, pop; see <see cref="WorkloadOptions.Consumer"/>). Every acknowledged value must come out.
/// </summary>
public sealed class QueueWorkload(WorkloadOptions options) : IWorkload
{
    /// <inheritdoc/>
    public string Name => "queue";

    /// <inheritdoc/>
    public IReadOnlyList<string> Queues { get; } = Enumerable.Range(0, Math.Max(1, options.Queues)).Select(i => $"jq{i}").ToList();

    /// <summary>Share of consumer steps that pop: the consumer mode's (pop 1, claim 0) or <see cref="WorkloadOptions.PopFraction"/>.</summary>
    private double PopShare => options.Consumer switch { "pop" => 1, "claim" => 0, _ => options.PopFraction };

    /// <inheritdoc/>
    public Task SetupAsync(OpRecorder ops, Worker w, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StepAsync(OpRecorder ops, Worker w, CancellationToken ct)
    {
        var queue = Queues[w.Rng.Next(Queues.Count)];
        var r = w.Rng.NextDouble();
        if (r < 0.5)
        {
            await ops.EnqueueAsync(w, queue, ops.NextValue(), null, ct);
        }
        else if (PopShare > 0 && r < 0.5 + (PopShare / 2))
        {
            await ops.PopAsync(w, queue, 1 + w.Rng.Next(5), ct);
        }
        else
        {
            await Workloads.ClaimAndDeleteAsync(ops, w, queue, 1 + w.Rng.Next(5), ct);
        }
    }
}
