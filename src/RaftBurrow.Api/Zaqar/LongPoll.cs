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
    /// Runs <paramref name="attempt"/> until it reports done or <paramref name="waitSeconds"/> pass.
    /// Returns the last attempt's answer.
    /// </summary>
    public static async Task<T> RunAsync<T>(ZaqarCall call, int waitSeconds, Func<Task<(bool Done, T Value)>> attempt)
    {
        if (waitSeconds <= 0)
            return (await attempt().ConfigureAwait(false)).Value;
        var time = call.Runtime.Time;
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(waitSeconds);
        var partition = call.Partition;
        while (true)
        {
            var remaining = deadline - time.GetUtcNow();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
            // Armed before the query: a change that lands while we query completes it.
            var changed = remaining > TimeSpan.Zero
                ? call.Runtime.Service.WaitForChangeAsync(partition, remaining, stop.Token)
                : Task.FromResult(false);
            var (done, value) = await attempt().ConfigureAwait(false);
            if (done || remaining <= TimeSpan.Zero)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await IgnoreCancellation(changed).ConfigureAwait(false);
                return value;
            }
            if (!await changed.ConfigureAwait(false) && time.GetUtcNow() >= deadline)
                return (await attempt().ConfigureAwait(false)).Value;
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
