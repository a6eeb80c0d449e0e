namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// The <c>wait=N</c> extension: query, and if there is nothing, wait for the partition to apply
/// something and query again, until the deadline. The change wait is armed before each query so
/// that a change landing between the query and the wait is not missed; it is never a busy loop.
/// </summary>
internal static class LongPoll
{
    /// <summary>Reads <c>wait</c> (seconds, 0..MaxWaitSeconds; absent → 0).</summary>
    public static ZaqarError? TryGetWait(ZaqarCall call, out int waitSeconds)
    {
        waitSeconds = 0;
        var error = call.TryGetInt("wait", out var wait);
        if (error is not null)
            return error;
        if (wait is { } w && (w < 0 || w > call.Options.MaxWaitSeconds))
            return ZaqarError.BadRequest($"Wait must be at least 0 and may not be greater than {call.Options.MaxWaitSeconds}.");
        waitSeconds = wait ?? 0;
        return null;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/>; while it reports nothing and <paramref name="waitSeconds"/>
    /// have not passed, parks until the queue's partition applies an entry and runs it again.
    /// Returns the last attempt's answer. Parked requests are bounded per node
    /// (<see cref="ZaqarOptions.MaxParkedWaiters"/>; beyond it → 503).
    /// </summary>
    public static async Task<T> RunAsync<T>(ZaqarCall call, int waitSeconds, Func<Task<(bool Done, T Value)>> attempt)
    {
        var (done, value) = await attempt().ConfigureAwait(false);
        if (done || waitSeconds <= 0)
            return value;
        var runtime = call.Runtime;
        var deadline = runtime.Time.GetUtcNow() + TimeSpan.FromSeconds(waitSeconds);
        var partition = call.Partition;
        if (!runtime.TryEnterWait())
            throw new ServiceUnavailableException(
                $"This node already holds {runtime.Options.MaxParkedWaiters} waiting requests (Zaqar:MaxParkedWaiters); retry later or wait less.");
        try
        {
            while (true)
            {
                var remaining = deadline - runtime.Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                    return value;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
                // Armed before the query: a change that lands while we query completes it.
                var changed = runtime.Service.WaitForChangeAsync(partition, remaining, stop.Token);
                try
                {
                    (done, value) = await attempt().ConfigureAwait(false);
                }
                finally
                {
                    if (done || call.Aborted.IsCancellationRequested)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                        await IgnoreCancellation(changed).ConfigureAwait(false);
                    }
                }
                if (done)
                    return value;
                await changed.ConfigureAwait(false);
            }
        }
        finally
        {
            runtime.ExitWait();
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
