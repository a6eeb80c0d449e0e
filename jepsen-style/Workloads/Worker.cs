namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// One concurrent client. Its process id changes after an indeterminate result (as in Jepsen): the
/// old process may still have an operation in flight, so it must never be reused.
/// </summary>
public sealed class Worker(int index, int concurrency, IReadOnlyList<int> nodes, Random rng)
{
    /// <summary>Lane in the timeline (0..C-1; the drain uses C).</summary>
    public int Index { get; } = index;

    /// <summary>Current logical process.</summary>
    public int Process { get; private set; } = index;

    /// <summary>This worker's seeded randomness.</summary>
    public Random Rng { get; } = rng;

    /// <summary>A random node for the next request (so writes are often forwarded).</summary>
    public int PickNode() => nodes[Rng.Next(nodes.Count)];

    /// <summary>Retires the process after an indeterminate operation.</summary>
    public void Crashed() => Process += concurrency;
}
