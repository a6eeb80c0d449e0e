using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Linearizability of each single-queue history made of enqueues and pops against
/// <see cref="FifoQueueModel"/>: a Wing–Gong search with Lowe's memoization of
/// (linearized set, model state). Indeterminate operations may take effect at any point after their
/// invocation (up to the horizon), or never. Failed operations are left out (they definitely did not happen).
/// </summary>
/// <remarks>
/// Queues that also saw claims are skipped (claims are not part of this model). The search is
/// exponential in the worst case, so histories over <c>maxOps</c> operations, or searches over
/// <c>maxStates</c> explored states, end as unknown rather than running forever.
/// </remarks>
/// <param name="maxOps">Largest history (ok + indeterminate enqueues and pops of one queue) searched.</param>
/// <param name="maxStates">Search budget in explored steps.</param>
/// <param name="infoHorizonMs">
/// How long after the client gave up an indeterminate operation may still take effect (a paused
/// node may process a request when it resumes). Infinite by default; a finite horizon, chosen
/// above the longest fault, lets the search settle indeterminate operations early.
/// </param>
public sealed class LinearizabilityChecker(int maxOps = 20_000, long maxStates = 5_000_000, double infoHorizonMs = double.PositiveInfinity) : IHistoryChecker
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

            // First try the history without the indeterminate enqueues nobody observed (a
            // linearization in which they never happened is a linearization); only if that fails
            // search with all of them, since an unseen one may be needed to explain the rest.
            var observed = ops.Where(o => o.F == Ops.Pop && o.Result == OpResult.Ok).SelectMany(o => o.Messages ?? []).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            var witnessOnly = ops.Where(o => o.Result != OpResult.Info || o.F != Ops.Enqueue || observed.Contains(o.Value)).ToList();
            bool? outcome = null;
            long explored = 0;
            Operation? stuck = null;
            if (witnessOnly.Count < ops.Count)
            {
                outcome = Search(witnessOnly, maxStates / 2, out explored, out _, infoHorizonMs) == true ? true : null;
            }

            if (outcome is null)
            {
                outcome = Search(ops, maxStates, out var more, out stuck, infoHorizonMs);
                explored += more;
            }

            result.Add("explored", explored);
            switch (outcome)
            {
                case true:
                    result.Add("queues-linearizable");
                    result.Notes.Add(LinearizableNote(queue));
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

    /// <summary>The note recorded for each queue found linearizable (read by <see cref="CheckSuite"/>).</summary>
    public static string LinearizableNote(string queue) => $"queue {queue}: linearizable";

    private sealed class Entry
    {
        public int Op;
        public bool IsCall;
        public double TimeMs;
        public Entry? Match;
        public Entry? Prev;
        public Entry? Next;
    }

    /// <summary>
    /// A 128-bit fingerprint of (linearized set, queue state). Storing fingerprints instead of copies
    /// keeps long histories within memory; a false "seen" needs a 128-bit collision.
    /// </summary>
    private static UInt128 Fingerprint(ulong[] linearized, int[] state)
    {
        var hash = new System.IO.Hashing.XxHash128();
        hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(linearized.AsSpan()));
        hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(state.AsSpan()));
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>Runs the search: true linearizable, false not, null budget exhausted.</summary>
    internal static bool? Search(IReadOnlyList<Operation> ops, long maxStates, out long explored, out Operation? stuck, double infoHorizonMs = double.PositiveInfinity)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string? v) => v is null ? -1 - ids.Count : ids.TryGetValue(v, out var i) ? i : ids[v] = ids.Count;
        var steps = ops.Select(o => FifoQueueModel.ToStep(o, Intern)).ToArray();
        var mustFollow = EnqueueOrder(ops, steps);

        var head = BuildList(ops, TryOrder(ops, steps), infoHorizonMs);
        var linearized = new ulong[(ops.Count + 63) / 64];
        var cache = new HashSet<UInt128>();
        var stack = new Stack<(Entry Call, int[] State, bool Skipped)>();
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

                if (Ready(mustFollow[entry.Op], linearized) && FifoQueueModel.TryApply(state, steps[entry.Op], out var next))
                {
                    linearized[entry.Op / 64] |= 1UL << (entry.Op % 64);
                    if (cache.Add(Fingerprint(linearized, next)))
                    {
                        stack.Push((entry, state, false));
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
                // Past an indeterminate operation's horizon it can only never have happened: skip it
                // (a choice like a linearization, undone by backtracking).
                linearized[entry.Op / 64] |= 1UL << (entry.Op % 64);
                if (cache.Add(Fingerprint(linearized, state)))
                {
                    stack.Push((entry.Match!, state, true));
                    Lift(entry.Match!);
                    entry = head.Next;
                    continue;
                }

                linearized[entry.Op / 64] &= ~(1UL << (entry.Op % 64));
            }

            if (stack.Count > deepest)
            {
                deepest = stack.Count;
                stuck = ops[entry.Op];
            }

            // Backtrack: undo skips (their only alternative was explored before) up to the last real
            // linearization, and try the next candidate after it.
            Entry? resume = null;
            while (resume is null)
            {
                if (stack.Count == 0)
                {
                    return false;
                }

                var (call, previous, skipped) = stack.Pop();
                state = previous;
                linearized[call.Op / 64] &= ~(1UL << (call.Op % 64));
                Unlift(call);
                if (!skipped)
                {
                    resume = call.Next;
                }
            }

            entry = resume;
        }

        return true;
    }

    /// <summary>
    /// Enqueue order revealed by the pops, used to prune the search (Lowe's search otherwise commits
    /// to an order of concurrent enqueues that a pop may refute only much later). If u is popped
    /// before v — earlier in one pop's list, or by a pop that completed before v's pop was invoked —
    /// then in every FIFO linearization enq(u) precedes enq(v). For each enqueue we keep only the
    /// immediate predecessors (the previous value in its pop, the last values of the latest pops that
    /// completed before its pop began); the relation is transitive, so that suffices. When no pop is
    /// indeterminate, values never popped come after all popped ones.
    /// </summary>
    internal static int[][] EnqueueOrder(IReadOnlyList<Operation> ops, FifoQueueModel.Step[] steps)
    {
        var result = new int[ops.Count][];
        Array.Fill(result, []);
        var enqueueOf = new Dictionary<int, int>();
        var duplicated = new HashSet<int>();
        for (var i = 0; i < ops.Count; i++)
        {
            if (steps[i].IsEnqueue && !enqueueOf.TryAdd(steps[i].Value, i))
            {
                duplicated.Add(steps[i].Value);
            }
        }

        var pops = Enumerable.Range(0, ops.Count).Where(i => steps[i] is { IsEnqueue: false, Popped.Length: > 0 }).ToList();
        foreach (var q in pops)
        {
            var before = pops.Where(p => ops[p].CompleteMs < ops[q].InvokeMs).ToList();
            var frontierMs = before.Count == 0 ? double.MaxValue : before.Max(p => ops[p].InvokeMs);
            var frontierLast = before.Where(p => ops[p].CompleteMs >= frontierMs).Select(p => steps[p].Popped![^1]).ToList();
            var popped = steps[q].Popped!;
            for (var j = 0; j < popped.Length; j++)
            {
                if (!enqueueOf.TryGetValue(popped[j], out var enq) || duplicated.Contains(popped[j]))
                {
                    continue;
                }

                var preds = (j == 0 ? frontierLast : [popped[j - 1]])
                    .Where(v => enqueueOf.ContainsKey(v) && !duplicated.Contains(v) && v != popped[j])
                    .Select(v => enqueueOf[v]).Distinct().ToArray();
                result[enq] = preds;
            }
        }

        // Without indeterminate pops, a value no pop ever returned stayed in the queue to the end, so
        // every popped value was ahead of it: it follows the last values of the last pops.
        var indeterminatePops = Enumerable.Range(0, ops.Count).Any(i => steps[i] is { IsEnqueue: false, Popped: null });
        if (!indeterminatePops && pops.Count > 0)
        {
            var popped = pops.SelectMany(p => steps[p].Popped!).ToHashSet();
            var lastMs = pops.Max(p => ops[p].InvokeMs);
            var finalLast = pops.Where(p => ops[p].CompleteMs >= lastMs).Select(p => steps[p].Popped![^1])
                .Where(v => enqueueOf.ContainsKey(v) && !duplicated.Contains(v)).Select(v => enqueueOf[v]).Distinct().ToArray();
            foreach (var (value, enq) in enqueueOf)
            {
                if (!popped.Contains(value) && !duplicated.Contains(value))
                {
                    result[enq] = finalLast;
                }
            }
        }

        return result;
    }

    private static bool Ready(int[] predecessors, ulong[] linearized)
    {
        foreach (var p in predecessors)
        {
            if ((linearized[p / 64] & (1UL << (p % 64))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The order in which to try calls that are equally eligible: an enqueue is tried as early as its
    /// value is popped (first pops first), values never popped last. This is only a search
    /// heuristic — the search stays exhaustive — but it makes the first guess of the order of
    /// concurrent enqueues usually right, instead of discovering the wrong guess many pops later.
    /// </summary>
    private static double[] TryOrder(IReadOnlyList<Operation> ops, FifoQueueModel.Step[] steps)
    {
        var poppedAt = new Dictionary<int, double>();
        for (var i = 0; i < ops.Count; i++)
        {
            if (steps[i] is { IsEnqueue: false, Popped: { } popped })
            {
                for (var j = 0; j < popped.Length; j++)
                {
                    // Position within the pop breaks ties between values of one pop.
                    poppedAt.TryAdd(popped[j], ops[i].InvokeMs + (j * 1e-6));
                }
            }
        }

        return Enumerable.Range(0, ops.Count)
            .Select(i => steps[i].IsEnqueue ? poppedAt.GetValueOrDefault(steps[i].Value, double.MaxValue) : ops[i].InvokeMs)
            .ToArray();
    }

    private static Entry BuildList(IReadOnlyList<Operation> ops, double[] tryOrder, double infoHorizonMs)
    {
        var entries = new List<Entry>(ops.Count * 2);
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Entry { Op = i, IsCall = true, TimeMs = ops[i].InvokeMs };
            var ret = new Entry { Op = i, IsCall = false, TimeMs = ops[i].Result == OpResult.Info ? ops[i].CompleteMs + infoHorizonMs : ops[i].CompleteMs };
            call.Match = ret;
            ret.Match = call;
            entries.Add(call);
            entries.Add(ret);
        }

        // Calls before returns at equal times: touching operations count as concurrent (lenient).
        entries.Sort((a, b) => a.TimeMs != b.TimeMs ? a.TimeMs.CompareTo(b.TimeMs) : a.IsCall == b.IsCall ? a.Op.CompareTo(b.Op) : a.IsCall ? -1 : 1);

        // Calls with no return between them may be listed in any order (each sees the same returns
        // before it), so sort every such run by the try order.
        for (var start = 0; start < entries.Count;)
        {
            var end = start;
            while (end < entries.Count && entries[end].IsCall)
            {
                end++;
            }

            if (end - start > 1)
            {
                entries.Sort(start, end - start, Comparer<Entry>.Create((a, b) => tryOrder[a.Op].CompareTo(tryOrder[b.Op]) is var c && c != 0 ? c : a.Op.CompareTo(b.Op)));
            }

            start = Math.Max(end, start + 1);
        }
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
