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
public sealed class LinearizabilityChecker(int maxOps = 20_000, long maxStates = 10_000_000, double infoHorizonMs = double.PositiveInfinity) : IHistoryChecker
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
            var segments = Segments(ops, infoHorizonMs);
            result.Add("segments", segments.Count);
            result.Counts["largest-segment"] = Math.Max(result.Counts.GetValueOrDefault("largest-segment"), segments.Max(x => x.Length));
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
        public bool IsSide;
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
    /// <remarks>
    /// The history is split at quiescent points — instants inside no operation's interval (an
    /// indeterminate operation's interval reaches to its horizon) — into segments that real time
    /// orders completely: every linearization is one of the first segment followed by one of the
    /// next, and the state between them is the queue's contents at that instant. Segments are
    /// searched one after the other; a segment hands the next the first state it can end in, and
    /// is asked for its next possible end state only if the later segments fail from that one.
    /// Start states from which a segment failed are remembered, and each segment keeps its own
    /// memo (configurations of different segments never coincide).
    /// </remarks>
    internal static bool? Search(IReadOnlyList<Operation> ops, long maxStates, out long explored, out Operation? stuck, double infoHorizonMs = double.PositiveInfinity)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string? v) => v is null ? -1 - ids.Count : ids.TryGetValue(v, out var i) ? i : ids[v] = ids.Count;
        var steps = ops.Select(o => FifoQueueModel.ToStep(o, Intern)).ToArray();
        var mustFollow = EnqueueOrder(ops, steps);
        AddIndeterminatePopOrder(ops, steps, mustFollow, infoHorizonMs);
        var tryOrder = TryOrder(ops, steps);

        explored = 0;
        stuck = null;
        var segments = Segments(ops, infoHorizonMs);
        var searches = new SegmentSearch?[segments.Count];
        // Start states known to fail per segment (a later segment rejected every way on from them).
        var failed = segments.Select(_ => new HashSet<UInt128>()).ToArray();
        var starts = new UInt128[segments.Count];
        var furthest = -1;
        var k = 0;
        Begin(0, []);
        while (true)
        {
            var search = searches[k]!;
            var end = search.NextEnd(maxStates, ref explored, out var budgetOut);
            if (budgetOut)
            {
                return null;
            }

            if (end is not null)
            {
                if (k == segments.Count - 1)
                {
                    return true;
                }

                k++;
                Begin(k, end);
                continue;
            }

            // This segment has no (further) way to end from its start state.
            if (k >= furthest)
            {
                furthest = k;
                stuck = search.Stuck ?? stuck;
            }

            failed[k].Add(starts[k]);
            if (k == 0)
            {
                return false;
            }

            k--;
        }

        void Begin(int level, int[] start)
        {
            searches[level] ??= new SegmentSearch(ops, steps, mustFollow, tryOrder, segments[level], infoHorizonMs);
            starts[level] = Fingerprint([], start);
            searches[level]!.Begin(start, failed[level].Contains(starts[level]));
        }
    }

    /// <summary>
    /// Splits the operations (indexes into <paramref name="ops"/>, ascending within a segment) at
    /// quiescent points: a new segment starts at an invocation later than every completion (or
    /// horizon, for indeterminate operations) before it. Touching intervals stay together.
    /// </summary>
    internal static List<int[]> Segments(IReadOnlyList<Operation> ops, double infoHorizonMs)
    {
        var order = Enumerable.Range(0, ops.Count).OrderBy(i => ops[i].InvokeMs).ThenBy(i => i).ToList();
        var result = new List<int[]>();
        var current = new List<int>();
        var maxEnd = double.NegativeInfinity;
        foreach (var i in order)
        {
            if (current.Count > 0 && maxEnd < ops[i].InvokeMs)
            {
                result.Add([.. current.Order()]);
                current.Clear();
            }

            current.Add(i);
            maxEnd = Math.Max(maxEnd, ops[i].Result == OpResult.Info ? ops[i].CompleteMs + infoHorizonMs : ops[i].CompleteMs);
        }

        if (current.Count > 0)
        {
            result.Add([.. current.Order()]);
        }

        return result;
    }

    /// <summary>
    /// Symmetry reduction for indeterminate pops (pruning only: the search stays exact). Two
    /// indeterminate pops with the same limit have the same effect, so for q invoked no later than p
    /// and with an earlier horizon, any linearization that applies p while q is still pending can
    /// swap them (q in p's place, p in q's place or never); we therefore only try p once q is
    /// settled — applied, or skipped at its horizon.
    /// </summary>
    internal static void AddIndeterminatePopOrder(IReadOnlyList<Operation> ops, FifoQueueModel.Step[] steps, int[][] mustFollow, double infoHorizonMs)
    {
        var pops = Enumerable.Range(0, ops.Count).Where(i => steps[i] is { IsEnqueue: false, Popped: null }).ToList();
        double End(int i) => ops[i].CompleteMs + infoHorizonMs;
        foreach (var p in pops)
        {
            var before = pops.Where(q => q != p && steps[q].Limit == steps[p].Limit && ops[q].InvokeMs <= ops[p].InvokeMs
                && (End(q) < End(p) || (End(q) == End(p) && q < p))).ToList();
            if (before.Count > 0)
            {
                mustFollow[p] = [.. mustFollow[p].Concat(before).Distinct()];
            }
        }
    }

    /// <summary>The Wing–Gong–Lowe search over one segment, from a set of start states.</summary>
    private sealed class SegmentSearch
    {
        private readonly List<Operation> _ops;
        private readonly FifoQueueModel.Step[] _steps;
        private readonly int[][] _mustFollow;
        private readonly Entry _head;
        private readonly ulong[] _linearized;
        private readonly HashSet<UInt128> _cache = [];
        private readonly Stack<(Entry Call, int[] State, bool Skipped)> _stack = new();
        private int _deepest = -1;
        private int[] _state = [];
        private Entry? _entry;
        private bool _atEnd;
        private bool _exhausted;
        private Entry? _barrier;

        public SegmentSearch(IReadOnlyList<Operation> all, FifoQueueModel.Step[] steps, int[][] mustFollow, double[] tryOrder, int[] segment, double infoHorizonMs)
        {
            var local = new Dictionary<int, int>(segment.Length);
            for (var i = 0; i < segment.Length; i++)
            {
                local[segment[i]] = i;
            }

            _ops = [.. segment.Select(g => all[g])];
            _steps = [.. segment.Select(g => steps[g])];
            // Predecessors in earlier segments are linearized already; ones outside this segment
            // are dropped (they only prune: the model itself rejects what they would).
            _mustFollow = [.. segment.Select(g => mustFollow[g].Where(local.ContainsKey).Select(p => local[p]).ToArray())];
            _head = BuildMarkedList(_ops, _steps, [.. segment.Select(g => tryOrder[g])], infoHorizonMs);
            _linearized = new ulong[(segment.Length + 63) / 64];
        }

        /// <summary>The operation the deepest failed attempt could not linearize.</summary>
        public Operation? Stuck { get; private set; }

        /// <summary>Starts over from <paramref name="start"/> (the previous start was exhausted); <paramref name="knownFailed"/> skips the search.</summary>
        public void Begin(int[] start, bool knownFailed)
        {
            _stack.Clear();
            Array.Clear(_linearized);
            _state = start;
            _entry = knownFailed ? null : _head.Next;
            _exhausted = knownFailed;
            _atEnd = false;
            _barrier = null;
        }

        /// <summary>
        /// Continues the search to the next state this segment can end in (each distinct
        /// configuration once, thanks to the memo); null when there is none left, or when the step
        /// budget ran out (<paramref name="budgetOut"/>).
        /// </summary>
        public int[]? NextEnd(long maxStates, ref long explored, out bool budgetOut)
        {
            budgetOut = false;
            if (_exhausted)
            {
                return null;
            }

            var state = _state;
            var entry = _entry;
            if (_atEnd)
            {
                // Resume after the end handed out last time, as after a dead end.
                _atEnd = false;
                if (!Backtrack(ref state, out entry))
                {
                    _exhausted = true;
                    return null;
                }
            }

            while (true)
            {
                if (entry is null)
                {
                    _state = state;
                    _atEnd = true;
                    return state;
                }

                if (entry.IsCall)
                {
                    if (_barrier is null ? entry.IsSide && state.Length > 0 : !entry.IsSide)
                    {
                        // First pass: an indeterminate pop on a non-empty queue waits for the second;
                        // second pass: only indeterminate pops.
                        entry = entry.Next;
                        continue;
                    }

                    if (++explored > maxStates)
                    {
                        budgetOut = true;
                        return null;
                    }

                    // (An indeterminate pop of an empty queue is a no-op, equivalent to its skip at
                    // the horizon; trying it here anyway is deliberate: settling it early is usually
                    // right and keeps it from branching at every later non-empty moment.)
                    if (Ready(_mustFollow[entry.Op], _linearized) && FifoQueueModel.TryApply(state, _steps[entry.Op], out var next))
                    {
                        Set(entry.Op);
                        if (_cache.Add(Fingerprint(_linearized, next)))
                        {
                            _stack.Push((entry, state, false));
                            state = next;
                            Lift(entry);
                            entry = _head.Next;
                            _barrier = null;
                            continue;
                        }

                        Clear(entry.Op);
                    }

                    entry = entry.Next;
                    continue;
                }

                // A return whose operation is not linearized yet: the main candidates of this step
                // are exhausted; try the indeterminate pops invoked by then before giving up here.
                if (_barrier is null && state.Length > 0)
                {
                    _barrier = entry;
                    entry = _head.Next;
                    continue;
                }

                _barrier = null;
                if (_ops[entry.Op].Result == OpResult.Info)
                {
                    // Past an indeterminate operation's horizon it can only never have happened:
                    // skip it (a choice like a linearization, undone by backtracking).
                    Set(entry.Op);
                    if (_cache.Add(Fingerprint(_linearized, state)))
                    {
                        _stack.Push((entry.Match!, state, true));
                        Lift(entry.Match!);
                        entry = _head.Next;
                        _barrier = null;
                        continue;
                    }

                    Clear(entry.Op);
                }

                if (_stack.Count > _deepest)
                {
                    _deepest = _stack.Count;
                    Stuck = _ops[entry.Op];
                }

                if (!Backtrack(ref state, out entry))
                {
                    _exhausted = true;
                    return null;
                }
            }
        }

        /// <summary>
        /// Undoes skips (their only alternative was explored before) up to the last real
        /// linearization, and resumes at the next candidate after it; false when nothing is left.
        /// </summary>
        private bool Backtrack(ref int[] state, out Entry? resume)
        {
            resume = null;
            while (resume is null)
            {
                if (_stack.Count == 0)
                {
                    return false;
                }

                var (call, previous, skipped) = _stack.Pop();
                state = previous;
                Clear(call.Op);
                Unlift(call);
                if (!skipped)
                {
                    _barrier = null;
                    if (call.IsSide && previous.Length > 0)
                    {
                        // It was tried in the second pass of that step: continue that pass, which
                        // ends at the step's first pending return.
                        _barrier = _head.Next;
                        while (_barrier!.IsCall)
                        {
                            _barrier = _barrier.Next;
                        }
                    }

                    resume = call.Next;
                }
            }

            return true;
        }

        private void Set(int op) => _linearized[op / 64] |= 1UL << (op % 64);

        private void Clear(int op) => _linearized[op / 64] &= ~(1UL << (op % 64));
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

    /// <summary>
    /// The list of calls and returns in time order (<see cref="BuildList"/>), with the calls of
    /// indeterminate pops marked: on a non-empty queue the search tries them only after the other
    /// candidates of a step (a second pass up to the first pending return). An indeterminate pop is
    /// usually needed only to explain a value nobody saw; trying it first at every step wastes the
    /// budget on pops that take values later pops return. On an empty queue it is tried in order
    /// (a no-op then, and settling it early is usually right). Order only: the search stays exhaustive.
    /// </summary>
    private static Entry BuildMarkedList(IReadOnlyList<Operation> ops, FifoQueueModel.Step[] steps, double[] tryOrder, double infoHorizonMs)
    {
        var head = BuildList(ops, tryOrder, infoHorizonMs);
        for (var e = head.Next; e is not null; e = e.Next)
        {
            e.IsSide = e.IsCall && steps[e.Op] is { IsEnqueue: false, Popped: null };
        }

        return head;
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
        if (call.Next is not null)
        {
            call.Next.Prev = call.Prev;
        }

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
        if (call.Next is not null)
        {
            call.Next.Prev = call;
        }
    }
}
