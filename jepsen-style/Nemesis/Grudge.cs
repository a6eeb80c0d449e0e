namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>
/// Who may not talk to whom during a partition: a set of directed pairs (from cannot send to to).
/// Built by pure functions so the shapes are testable without a firewall.
/// </summary>
/// <param name="Drops">Directed pairs (sender, receiver) whose traffic is dropped.</param>
/// <param name="Description">e.g. "halves [1,2] | [3]".</param>
public sealed record Grudge(IReadOnlyList<(int From, int To)> Drops, string Description)
{
    /// <summary>Partition modes.</summary>
    public static readonly IReadOnlyList<string> Modes = ["halves", "isolate-leader", "bridge", "one-way"];

    /// <summary>Drops every pair between the two groups, both ways.</summary>
    public static Grudge Between(IReadOnlyList<int> a, IReadOnlyList<int> b, string description)
    {
        var drops = new List<(int, int)>();
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                drops.Add((x, y));
                drops.Add((y, x));
            }
        }

        return new Grudge(drops, description);
    }

    /// <summary>Random halves: the smaller half (⌊n/2⌋ nodes) is cut off from the rest.</summary>
    public static Grudge Halves(IReadOnlyList<int> nodes, Random rng)
    {
        var shuffled = Shuffle(nodes, rng);
        var small = shuffled.Take(nodes.Count / 2).Order().ToList();
        var big = shuffled.Skip(nodes.Count / 2).Order().ToList();
        return Between(small, big, $"halves [{string.Join(",", small)}] | [{string.Join(",", big)}]");
    }

    /// <summary>One node (a leader) cut off from all the others.</summary>
    public static Grudge Isolate(IReadOnlyList<int> nodes, int node) =>
        Between([node], nodes.Where(n => n != node).ToList(), $"isolate [{node}]");

    /// <summary>
    /// Bridge: two halves that cannot talk to each other, and one node that talks to both (it alone
    /// sees a majority on each side — Jepsen's "bridge").
    /// </summary>
    public static Grudge Bridge(IReadOnlyList<int> nodes, Random rng)
    {
        if (nodes.Count < 3)
        {
            return Halves(nodes, rng);
        }

        var shuffled = Shuffle(nodes, rng);
        var bridge = shuffled[0];
        var rest = shuffled.Skip(1).ToList();
        var left = rest.Take(rest.Count / 2).Order().ToList();
        var right = rest.Skip(rest.Count / 2).Order().ToList();
        var g = Between(left, right, "");
        return g with { Description = $"bridge [{string.Join(",", left)}] <-{bridge}-> [{string.Join(",", right)}]" };
    }

    /// <summary>One-way: one node's packets to every other node are dropped, theirs to it still flow.</summary>
    public static Grudge OneWay(IReadOnlyList<int> nodes, Random rng)
    {
        var from = nodes[rng.Next(nodes.Count)];
        var drops = nodes.Where(n => n != from).Select(n => (from, n)).ToList();
        return new Grudge(drops, $"one-way {from} -/-> [{string.Join(",", nodes.Where(n => n != from))}]");
    }

    /// <summary>Nodes that appear in some dropped pair.</summary>
    public IReadOnlyList<int> Affected => Drops.SelectMany(d => new[] { d.From, d.To }).Distinct().Order().ToList();

    private static List<int> Shuffle(IReadOnlyList<int> nodes, Random rng)
    {
        var list = nodes.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }
}
