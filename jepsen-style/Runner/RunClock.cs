using System.Diagnostics;

namespace RaftBurrow.Jepsen.Runner;

/// <summary>Monotonic milliseconds since the run started; every history time uses it.</summary>
public sealed class RunClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    /// <summary>Milliseconds since start.</summary>
    public double NowMs => _watch.Elapsed.TotalMilliseconds;
}
