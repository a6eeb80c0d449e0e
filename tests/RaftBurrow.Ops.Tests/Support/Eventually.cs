namespace RaftBurrow.Ops.Tests.Support;

/// <summary>Polls a condition until it holds or a generous deadline passes (never asserts on timing).</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(30));
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
                return last;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Gave up waiting for {what}; last value: {last}");
            await Task.Delay(100);
        }
    }
}
