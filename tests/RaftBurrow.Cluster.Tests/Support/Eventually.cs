namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes (tests poll, they do not sleep).</summary>
public static class Eventually
{
    public static async Task Async(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting until {what}.");
            await Task.Delay(50);
        }
    }
}
