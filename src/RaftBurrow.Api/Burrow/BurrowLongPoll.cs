using Microsoft.Extensions.Options;

namespace RaftBurrow.Api.Burrow;

/// <summary>
/// The <c>wait</c> loop of GET/POST/DELETE on a queue (contract §7): run the operation; while it
/// answers 404 and the deadline is ahead, park until the queue's partition applies an entry, then
/// run it again. Never a busy loop: each round blocks in <see cref="IQueueService.WaitForChangeAsync"/>.
/// </summary>
/// <remarks>
/// The wake-up is subscribed to before the re-check, so an entry applied between the check and the
/// park is never missed. Writes (claim, pop) re-check with a read first and only propose their
/// command when the read finds something, so parked writers do not flood the log with empty
/// commands that would wake each other.
/// </remarks>
internal sealed class BurrowLongPoll(IQueueService service, BurrowWaiterGate gate, IOptions<BurrowOptions> options)
{
    /// <summary>
    /// Runs <paramref name="first"/>; on a 404 with <paramref name="waitSeconds"/> &gt; 0, parks and
    /// runs <paramref name="retry"/> after each change of <paramref name="partition"/> until it finds
    /// something or the wait ends (then the last 404 outcome is returned).
    /// </summary>
    public async Task<BurrowOutcome> RunAsync(
        int partition,
        int waitSeconds,
        Func<CancellationToken, Task<BurrowOutcome>> first,
        Func<CancellationToken, Task<BurrowOutcome>> retry,
        CancellationToken cancellationToken)
    {
        var outcome = await first(cancellationToken);
        if (!outcome.IsNotFound || waitSeconds <= 0)
            return outcome;

        var deadlineMs = service.NowMs + (waitSeconds * 1000L);
        if (!gate.TryEnter())
            throw new BurrowWaitersExhaustedException(options.Value.MaxParkedWaiters);
        try
        {
            while (true)
            {
                var remainingMs = deadlineMs - service.NowMs;
                if (remainingMs <= 0)
                    return outcome;
                var sliceMs = Math.Min(remainingMs, Math.Max(1, options.Value.LongPollRecheckMs));
                using var parked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var changed = service.WaitForChangeAsync(partition, TimeSpan.FromMilliseconds(sliceMs), parked.Token);
                try
                {
                    outcome = await retry(cancellationToken);
                }
                catch
                {
                    await UnsubscribeAsync(parked, changed);
                    throw;
                }

                if (!outcome.IsNotFound)
                {
                    await UnsubscribeAsync(parked, changed);
                    return outcome;
                }

                await changed;
            }
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>Ends a wake-up subscription that is no longer needed now, not at the end of its slice.</summary>
    private static async Task UnsubscribeAsync(CancellationTokenSource parked, Task<bool> changed)
    {
        await parked.CancelAsync();
        await ((Task)changed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
