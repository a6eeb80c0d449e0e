using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// Idempotency workload: each logical message has an Idempotency-Key; an attempt that fails or is
/// indeterminate is retried with the same key and value, and some successes are deliberately sent
/// again. Consumers claim and delete. One key must make one message.
/// </summary>
public sealed class IdempotentWorkload : IWorkload
{
    /// <inheritdoc/>
    public string Name => "idempotent";

    /// <inheritdoc/>
    public IReadOnlyList<string> Queues { get; } = ["jidem"];

    /// <inheritdoc/>
    public Task SetupAsync(OpRecorder ops, Worker w, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StepAsync(OpRecorder ops, Worker w, CancellationToken ct)
    {
        var queue = Queues[0];
        if (w.Rng.NextDouble() >= 0.6)
        {
            await Workloads.ClaimAndDeleteAsync(ops, w, queue, 1 + w.Rng.Next(5), ct);
            return;
        }

        var value = ops.NextValue();
        var key = "jk-" + value;
        for (var attempt = 0; attempt < 4 && !ct.IsCancellationRequested; attempt++)
        {
            var op = await ops.EnqueueAsync(w, queue, value, key, ct);
            if (op.Result == OpResult.Ok)
            {
                if (w.Rng.NextDouble() < 0.3)
                {
                    await ops.EnqueueAsync(w, queue, value, key, ct);
                }

                return;
            }

            await Task.Delay(50 + w.Rng.Next(200), ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
