using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Linearizability of each single-queue history made of enqueues and pops against
/// <see cref="FifoQueueModel"/>: a Wing–Gong search with Lowe's memoization of
/// (linearized set, model state). Indeterminate operations may take effect at any point after their
/// invocation, or never. Failed operations are left out (they definitely did not happen).
/// </summary>
/// <remarks>
/// Queues that also saw claims are skipped (claims are not part of this model). The search is
/// exponential in the worst case, so histories over <c>maxOps</c> operations, or searches over
/// <c>maxStates</c> explored states, end as unknown rather than running forever.
/// </remarks>
/// <param name="maxOps">Largest history (ok + indeterminate enqueues and pops of one queue) searched.</param>
/// <param name="maxStates">Search budget in explored steps.</param>
public sealed class LinearizabilityChecker(int maxOps = 5000, long maxStates = 2_000_000) : IHistoryChecker
{
    /// <inheritdoc/>
    public string Name => "linearizable";

    /// <inheritdoc/>
    public CheckResult Check(RunHistory history)
    {
        var result = new CheckResult { Name = Name };
        var checkedAny = false;
        foreach (var queue in history.Queues)
        {
            var ops = history.OnQueue(queue).Where(o => o.Result != OpResult.Fail && o.F is Ops.Enqueue or Ops.Pop or Ops.Claim).ToList();
            if (ops.Any(o => o.F == Ops.Claim) || ops.Count == 0)
            {
                continue;
            }

            checkedAny = true;
            result.Add("ops", ops.Count);
            if (ops.Count > maxOps)
            {
                result.Undecided($"queue {queue}: {ops.Count} operations exceed the bound of {maxOps}");
                continue;
            }

            var outcome = Search(ops, maxStates, out var explored, out var stuck);
            result.Add("explored", explored);
            switch (outcome)
            {
                case true:
                    result.Add("queues-linearizable");
                    break;
                case false:
                    result.Anomaly("not-linearizable", $"queue {queue}: no linearization explains {(stuck is null ? "the history" : Deliveries.Describe(stuck))}");
                    break;
                default:
                    result.Undecided($"queue {queue}: search budget of {maxStates} steps exhausted");
                    break;
            }
        }

        return checkedAny ? result : CheckResult.Skip(Name, "no queue with only enqueues and pops");
    }

    private sealed class Entry
    {
        public int Op;
        public bool IsCall;
        public double TimeMs;
        public Entry? Match;
        public Entry? Prev;
        public Entry? Next;
    }

    private readonly record struct CacheKey(ulong[] Linearized, int[] State, int Hash)
    {
        public static CacheKey Of(ulong[] linearized, int[] state)
        {
            var h = new HashCode();
            foreach (var w in linearized)
            {
                h.Add(w);
            }

            foreach (var v in state)
            {
                h.Add(v);
            }

            return new CacheKey((ulong[])linearized.Clone(), state, h.ToHashCode());
        }

        public bool Equals(CacheKey other) =>
            Hash == other.Hash && Linearized.AsSpan().SequenceEqual(other.Linearized) && State.AsSpan().SequenceEqual(other.State);

        public override int GetHashCode() => Hash;
    }

    /// <summary>Runs the search: true linearizable, false not, null budget exhausted.</summary>
    internal static bool? Search(IReadOnlyList<Operation> ops, long maxStates, out long explored, out Operation? stuck)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string? v) => v is null ? -1 - ids.Count : ids.TryGetValue(v, out var i) ? i : ids[v] = ids.Count;
        var steps = ops.Select(o => FifoQueueModel.ToStep(o, Intern)).ToArray();

        var head = BuildList(ops);
        var linearized = new ulong[(ops.Count + 63) / 64];
        var cache = new HashSet<CacheKey>();
        var stack = new Stack<(Entry Call, int[] State)>();
        var state = Array.Empty<int>();
        var entry = head.Next;
        explored = 0;
        stuck = null;
        var deepest = -1;
        while (entry is not null)
        {
            if (entry.IsCall)
            {
                if (++explored > maxStates)
                {
                    return null;
                }

                if (FifoQueueModel.TryApply(state, steps[entry.Op], out var next))
                {
                    linearized[entry.Op / 64] |= 1UL << (entry.Op % 64);
                    if (cache.Add(CacheKey.Of(linearized, next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }

                    linearized[entry.Op / 64] &= ~(1UL << (entry.Op % 64));
                }

                entry = entry.Next;
                continue;
            }

            // A return whose operation is not linearized yet.
            if (ops[entry.Op].Result == OpResult.Info)
            {
                // Indeterminate returns sit at +infinity: every acknowledged operation is linearized.
                return true;
            }

            if (stack.Count > deepest)
            {
                deepest = stack.Count;
                stuck = ops[entry.Op];
            }

            if (stack.Count == 0)
            {
                return false;
            }

            var (call, previous) = stack.Pop();
            state = previous;
            linearized[call.Op / 64] &= ~(1UL << (call.Op % 64));
            Unlift(call);
            entry = call.Next;
        }

        return true;
    }

    private static Entry BuildList(IReadOnlyList<Operation> ops)
    {
        var entries = new List<Entry>(ops.Count * 2);
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Entry { Op = i, IsCall = true, TimeMs = ops[i].InvokeMs };
            var ret = new Entry { Op = i, IsCall = false, TimeMs = ops[i].Result == OpResult.Info ? double.PositiveInfinity : ops[i].CompleteMs };
            call.Match = ret;
            entries.Add(call);
            entries.Add(ret);
        }

        // Calls before returns at equal times: touching operations count as concurrent (lenient).
        entries.Sort((a, b) => a.TimeMs != b.TimeMs ? a.TimeMs.CompareTo(b.TimeMs) : a.IsCall == b.IsCall ? a.Op.CompareTo(b.Op) : a.IsCall ? -1 : 1);
        var head = new Entry { Op = -1 };
        var prev = head;
        foreach (var e in entries)
        {
            prev.Next = e;
            e.Prev = prev;
            prev = e;
        }

        return head;
    }

    private static void Lift(Entry call)
    {
        call.Prev!.Next = call.Next;
        call.Next!.Prev = call.Prev;
        var ret = call.Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret.Prev;
        }
    }

    private static void Unlift(Entry call)
    {
        var ret = call.Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret;
        }

        call.Prev!.Next = call;
        call.Next!.Prev = call;
    }
}
