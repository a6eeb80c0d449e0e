namespace RaftBurrow.Consensus;

/// <summary>
/// This node's notion of now in Unix ms: the injected <see cref="TimeProvider"/> plus the
/// fault-injection offset. The leader stamps it into every proposal; the state machine never reads a clock.
/// </summary>
public sealed class NodeClock(TimeProvider time, long offsetMs)
{
    /// <summary>The underlying time provider (timers use it too).</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>The clock-skew offset in ms (0 unless fault injection asks for one).</summary>
    public long OffsetMs { get; } = offsetMs;

    /// <summary>Now, Unix ms.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds() + OffsetMs;
}
