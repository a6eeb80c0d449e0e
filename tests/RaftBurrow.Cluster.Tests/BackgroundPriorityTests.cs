using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>The snapshot writer's thread runs at nice 10, and only that thread (Linux).</summary>
public sealed class BackgroundPriorityTests
{
    [Fact]
    public void Lowering_changes_the_calling_thread_only()
    {
        var before = OperatingSystem.IsLinux() ? NiceOfThisThread() : 0;
        if (!OperatingSystem.IsLinux() || before >= 10)
            return; // nothing to lower (already nice 10 or more: setpriority sets an absolute value)
        (bool Lowered, int Nice) seen = default;
        var thread = new Thread(() =>
        {
            var lowered = BackgroundPriority.LowerCurrentThread();
            seen = (lowered, NiceOfThisThread());
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.True(seen.Lowered);
        Assert.Equal(10, seen.Nice);
        Assert.Equal(before, NiceOfThisThread());
    }

    /// <summary>Field 19 (nice) of /proc/thread-self/stat, after the parenthesized command name.</summary>
    private static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture); // field 19 overall
    }
}
