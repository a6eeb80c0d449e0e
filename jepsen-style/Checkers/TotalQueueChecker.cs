using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Total-queue: every acknowledged enqueue is delivered at least once (by the end of the drain),
/// nothing is delivered that was never sent, one POST makes one message, and a deleted message
/// never comes back. Indeterminate enqueues that show up are counted as recovered.
/// </summary>
/// <remarks>
/// Lost messages are classified by their place among the queue's acknowledged enqueues (ordered
/// by invocation): before the first delivered one (prefix), after the last (suffix), or between
/// (middle). A lost suffix smells of an unflushed tail; a middle loss of a rollback or a hole.
/// An indeterminate pop may have removed messages nobody saw. A loss is excused (verdict unknown)
/// only by indeterminate pops that could have taken effect after the message existed and before a
/// message enqueued after it was acknowledged was seen (by FIFO it had left the queue by then), and
/// only up to those pops' limits.
/// </remarks>
/// <param name="slackMs">How long after the client gave up an indeterminate pop may still take effect.</param>
public sealed class TotalQueueChecker(double slackMs = 10_000) : IHistoryChecker
{
    /// <inheritdoc/>
    public string Name => "total-queue";

    /// <inheritdoc/>
    public CheckResult Check(RunHistory history)
    {
        var result = new CheckResult { Name = Name };
        var enqueues = history.Operations.Where(o => o.F == Ops.Enqueue && o.Value is not null).ToList();
        if (enqueues.Count == 0)
        {
            return CheckResult.Skip(Name, "no enqueues in the history");
        }

        var attempted = new Dictionary<string, List<Operation>>(StringComparer.Ordinal);
        foreach (var e in enqueues)
        {
            if (!attempted.TryGetValue(e.Value!, out var list))
            {
                attempted[e.Value!] = list = [];
            }

            list.Add(e);
        }

        var deliveries = Deliveries.All(history.Operations).Where(d => d.Message.Value is not null).ToList();
        var deliveredByValue = deliveries.GroupBy(d => d.Message.Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var ackedValues = attempted.Where(kv => kv.Value.Any(o => o.Result == OpResult.Ok)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var infoValues = attempted.Where(kv => !ackedValues.Contains(kv.Key) && kv.Value.Any(o => o.Result == OpResult.Info))
            .Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        result.Add("attempted", attempted.Count);
        result.Add("acknowledged", ackedValues.Count);
        result.Add("indeterminate", infoValues.Count);
        result.Add("delivered", deliveredByValue.Count);

        foreach (var (value, ds) in deliveredByValue)
        {
            if (!attempted.ContainsKey(value))
            {
                result.Anomaly("unexpected", $"value {value} delivered by {Deliveries.Describe(ds[0].Op)} but never enqueued");
                continue;
            }

            if (infoValues.Contains(value))
            {
                result.Add("recovered");
            }

            if (ds.Count > 1)
            {
                result.Add("redelivered");
            }

            var ids = ds.Select(d => d.Message.Id).Where(id => id is not null).Distinct(StringComparer.Ordinal).ToList();
            var keyed = attempted[value].Any(o => o.Key is not null);
            if (ids.Count > 1 && !keyed)
            {
                // Each value is sent by exactly one POST; two ids mean the server enqueued it twice.
                result.Anomaly("duplicated", $"value {value} exists as {ids.Count} messages ({string.Join(", ", ids)})");
            }
        }

        CheckLost(history, attempted, ackedValues, deliveredByValue, result);
        CheckResurrected(history, result);
        return result;
    }

    private void CheckLost(RunHistory history, Dictionary<string, List<Operation>> attempted, HashSet<string> acked,
        Dictionary<string, List<Delivery>> delivered, CheckResult result)
    {
        foreach (var queue in history.Queues)
        {
            // Acknowledged enqueues in invocation order of their first attempt.
            var order = acked.Select(v => attempted[v]).Where(a => a[0].Queue == queue)
                .OrderBy(a => a.Min(o => o.InvokeMs)).ThenBy(a => a[0].Id).Select(a => a[0].Value!).ToList();
            if (order.Count == 0)
            {
                continue;
            }

            var first = order.FindIndex(delivered.ContainsKey);
            var last = order.FindLastIndex(delivered.ContainsKey);
            var lost = new List<(string Value, string Where)>();
            for (var i = 0; i < order.Count; i++)
            {
                if (delivered.ContainsKey(order[i]))
                {
                    continue;
                }

                var where = first < 0 ? "all" : i < first ? "prefix" : i > last ? "suffix" : "middle";
                lost.Add((order[i], where));
            }

            if (lost.Count == 0)
            {
                continue;
            }

            var infoPops = history.OnQueue(queue).Where(o => o.F == Ops.Pop && o.Result == OpResult.Info).ToList();
            var definite = new List<(string Value, string Where)>();
            var maybe = new List<(string Value, string Where)>();
            var candidates = new HashSet<Operation>();
            var laterSeenMs = LaterSeen(order, attempted, delivered);
            foreach (var (value, where) in lost)
            {
                // An indeterminate pop could have removed the message only if it may have taken effect
                // after the message existed and before a message enqueued after it was acknowledged was
                // seen (FIFO: once a later message is delivered, this one has left the queue).
                var invokedMs = attempted[value].Min(o => o.InvokeMs);
                var goneByMs = laterSeenMs.GetValueOrDefault(value, double.MaxValue);
                var could = infoPops.Where(p => p.InvokeMs <= goneByMs && p.CompleteMs + slackMs >= invokedMs).ToList();
                if (could.Count == 0)
                {
                    definite.Add((value, where));
                }
                else
                {
                    maybe.Add((value, where));
                    candidates.UnionWith(could);
                }
            }

            var capacity = candidates.Sum(p => (long)(p.Limit ?? 1));
            if (maybe.Count > capacity)
            {
                definite.AddRange(maybe);
                maybe.Clear();
            }

            if (maybe.Count > 0)
            {
                result.Add("possibly-popped", maybe.Count);
                result.Undecided(PossiblyPoppedPrefix(queue) + $"{maybe.Count} acknowledged messages never seen, but {candidates.Count} indeterminate pops could have removed up to {capacity} of them");
            }

            foreach (var (value, where) in definite)
            {
                result.Add("lost-" + where);
                result.Anomaly("lost", $"queue {queue}: acknowledged value {value} never delivered ({where}); enqueued by {Deliveries.Describe(attempted[value].First(o => o.Result == OpResult.Ok))}");
            }
        }
    }

    /// <summary>Start of the note that makes the verdict unknown because of indeterminate pops.</summary>
    public static string PossiblyPoppedPrefix(string queue) => $"queue {queue}: possibly popped: ";

    /// <summary>
    /// For each acknowledged value, the earliest completion of a delivery of any value whose enqueue
    /// was invoked after this one was acknowledged (absent when there is none).
    /// </summary>
    private static Dictionary<string, double> LaterSeen(List<string> order, Dictionary<string, List<Operation>> attempted, Dictionary<string, List<Delivery>> delivered)
    {
        var byInvoke = order.Select(v => (Value: v, InvokedMs: attempted[v].Min(o => o.InvokeMs),
                SeenMs: delivered.TryGetValue(v, out var ds) ? ds.Min(d => d.Op.CompleteMs) : double.MaxValue))
            .OrderBy(x => x.InvokedMs).ToList();
        var suffixMin = new double[byInvoke.Count + 1];
        suffixMin[byInvoke.Count] = double.MaxValue;
        for (var i = byInvoke.Count - 1; i >= 0; i--)
        {
            suffixMin[i] = Math.Min(suffixMin[i + 1], byInvoke[i].SeenMs);
        }

        var invokes = byInvoke.Select(x => x.InvokedMs).ToArray();
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var v in order)
        {
            var ackedMs = attempted[v].Where(o => o.Result == OpResult.Ok).Min(o => o.CompleteMs);
            var i = Array.BinarySearch(invokes, ackedMs);
            i = i < 0 ? ~i : i + 1;
            while (i < invokes.Length && invokes[i] <= ackedMs)
            {
                i++;
            }

            if (suffixMin[i] < double.MaxValue)
            {
                result[v] = suffixMin[i];
            }
        }

        return result;
    }

    private static void CheckResurrected(RunHistory history, CheckResult result)
    {
        // When was each message id definitely deleted? (ok delete with claim, or ok pop)
        var deletedAt = new Dictionary<string, (double AtMs, Operation By)>(StringComparer.Ordinal);
        foreach (var op in history.Operations.Where(o => o.Result == OpResult.Ok))
        {
            if (op.F == Ops.Delete && op.MessageId is not null)
            {
                Note(op.MessageId, op);
            }
            else if (op.F == Ops.Pop && op.Messages is not null)
            {
                foreach (var m in op.Messages.Where(m => m.Id is not null))
                {
                    Note(m.Id!, op);
                }
            }
        }

        foreach (var d in Deliveries.All(history.Operations))
        {
            if (d.Message.Id is null || !deletedAt.TryGetValue(d.Message.Id, out var del) || ReferenceEquals(del.By, d.Op))
            {
                continue;
            }

            if (d.Op.InvokeMs > del.AtMs)
            {
                result.Anomaly("resurrected", $"message {d.Message.Id} (value {d.Message.Value}) deleted by {Deliveries.Describe(del.By)} but seen again by {Deliveries.Describe(d.Op)}");
            }
        }

        void Note(string id, Operation op)
        {
            if (!deletedAt.TryGetValue(id, out var prev) || op.CompleteMs < prev.AtMs)
            {
                deletedAt[id] = (op.CompleteMs, op);
            }
        }
    }
}
