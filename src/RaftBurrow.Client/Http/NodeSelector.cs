namespace RaftBurrow.Client.Http;

/// <summary>
/// Chooses the node for each attempt: round robin (or first-preferred), skipping nodes that refused a
/// connection recently, and moving on to the next node when an attempt fails. Thread-safe, lock-free.
/// </summary>
internal sealed class NodeSelector
{
    private readonly Uri[] nodes;
    private readonly NodeSelection selection;
    private readonly long cooldownMs;

    // Invariant: downUntilMs[i] is an Environment.TickCount64 deadline; node i is skipped while it lies ahead.
    private readonly long[] downUntilMs;
    private int cursor = -1;

    public NodeSelector(IEnumerable<Uri> nodes, NodeSelection selection, TimeSpan cooldown)
    {
        this.nodes = nodes.Select(Normalize).ToArray();
        this.selection = selection;
        cooldownMs = (long)cooldown.TotalMilliseconds;
        downUntilMs = new long[this.nodes.Length];
    }

    public int Count => nodes.Length;

    public Uri this[int index] => nodes[index];

    public IReadOnlyList<Uri> Nodes => nodes;

    /// <summary>The node for a request's first attempt.</summary>
    public int First()
    {
        var start = selection == NodeSelection.RoundRobin
            ? (int)((uint)Interlocked.Increment(ref cursor) % (uint)nodes.Length)
            : 0;
        return FirstUpFrom(start);
    }

    /// <summary>The node for the attempt after one that failed on <paramref name="failed"/>.</summary>
    public int After(int failed) => nodes.Length == 1 ? 0 : FirstUpFrom((failed + 1) % nodes.Length);

    public void MarkDown(int index) => Volatile.Write(ref downUntilMs[index], Environment.TickCount64 + cooldownMs);

    public void MarkUp(int index)
    {
        if (Volatile.Read(ref downUntilMs[index]) != 0)
        {
            Volatile.Write(ref downUntilMs[index], 0);
        }
    }

    private int FirstUpFrom(int start)
    {
        var now = Environment.TickCount64;
        for (var k = 0; k < nodes.Length; k++)
        {
            var i = (start + k) % nodes.Length;
            if (Volatile.Read(ref downUntilMs[i]) <= now)
            {
                return i;
            }
        }

        return start; // every node looks down: try anyway rather than fail without asking
    }

    /// <summary>Base URLs without a trailing slash, so "base + /v2/..." never doubles it.</summary>
    internal static Uri Normalize(Uri uri)
    {
        var text = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(text, UriKind.Absolute);
    }
}
