namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// Lease workload: many workers race to claim a handful of messages. A winner deletes the message
/// (and posts a replacement), releases the claim, or holds it until it expires.
/// </summary>
public sealed class LeaseWorkload(WorkloadOptions options) : IWorkload
{
    /// <inheritdoc/>
    public string Name => "lease";

    /// <inheritdoc/>
    public IReadOnlyList<string> Queues { get; } = ["jlease"];

    /// <inheritdoc/>
    public async Task SetupAsync(OpRecorder ops, Worker w, CancellationToken ct)
    {
        for (var i = 0; i < options.LeaseMessages; i++)
        {
            await ops.EnqueueAsync(w, Queues[0], ops.NextValue(), null, ct);
        }
    }

    /// <inheritdoc/>
    public async Task StepAsync(OpRecorder ops, Worker w, CancellationToken ct)
    {
        var queue = Queues[0];
        var claim = await ops.ClaimAsync(w, queue, 1 + w.Rng.Next(2), ct);
        if (claim.Result != History.OpResult.Ok || claim.Messages is null)
        {
            return;
        }

        if (claim.Messages.Count == 0)
        {
            if (w.Rng.NextDouble() < 0.1)
            {
                await ops.EnqueueAsync(w, queue, ops.NextValue(), null, ct);
            }

            return;
        }

        var r = w.Rng.NextDouble();
        if (r < 0.4)
        {
            foreach (var m in claim.Messages.Where(m => m.Id is not null && m.ClaimId is not null))
            {
                var del = await ops.DeleteAsync(w, queue, m.Id!, m.ClaimId!, ct);
                if (del.Result == History.OpResult.Ok)
                {
                    await ops.EnqueueAsync(w, queue, ops.NextValue(), null, ct);
                }
            }
        }
        else if (r < 0.7 && claim.Messages[0].ClaimId is { } claimId)
        {
            await ops.ReleaseAsync(w, queue, claimId, ct);
        }

        // else: hold the claim and let it expire.
    }
}
