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
/// An indeterminate pop may have removed messages nobody saw, so losses that fit within the
/// capacity of the queue's indeterminate pops make the verdict unknown instead of invalid.
/// </remarks>
public sealed class TotalQueueChecker : IHistoryChecker
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

    private static void CheckLost(RunHistory history, Dictionary<string, List<Operation>> attempted, HashSet<string> acked,
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

            // Capacity of indeterminate pops: each may have removed up to its limit unseen.
            var popCapacity = history.OnQueue(queue).Where(o => o.F == Ops.Pop && o.Result == OpResult.Info).Sum(o => (long)(o.Limit ?? 1));
            if (lost.Count <= popCapacity)
            {
                result.Add("possibly-popped", lost.Count);
                result.Undecided($"queue {queue}: {lost.Count} acknowledged messages never seen, but indeterminate pops could have removed up to {popCapacity}");
                continue;
            }

            foreach (var (value, where) in lost)
            {
                result.Add("lost-" + where);
                result.Anomaly("lost", $"queue {queue}: acknowledged value {value} never delivered ({where}); enqueued by {Deliveries.Describe(attempted[value].First(o => o.Result == OpResult.Ok))}");
            }
        }
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
