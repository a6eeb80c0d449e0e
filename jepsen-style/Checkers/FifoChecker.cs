using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Per-queue FIFO: if enqueue A was acknowledged before enqueue B was invoked, no consumer may see B
/// strictly before A is first seen (unless A was hidden by a claim whose outcome is unknown), and a
/// single claim/pop/read response never lists B before A.
/// </summary>
/// <remarks>
/// "Seen" is the first delivery (claim, pop or read). A message that was claimed and released keeps
/// its place, so its first delivery is what counts. Concurrent enqueues, concurrent deliveries and
/// never-delivered messages impose no order here (losses are the total-queue checker's business).
/// </remarks>
/// <param name="skewMs">Clock-skew bound added to claim lifetimes when excusing.</param>
/// <param name="slackMs">How long after the client gave up an indeterminate claim may still take effect.</param>
public sealed class FifoChecker(double skewMs = 1000, double slackMs = 10_000) : IHistoryChecker
{
    /// <inheritdoc/>
    public string Name => "fifo";

    /// <inheritdoc/>
    public CheckResult Check(RunHistory history)
    {
        var result = new CheckResult { Name = Name };
        var any = false;
        foreach (var queue in history.Queues)
        {
            var ops = history.OnQueue(queue).ToList();
            if (!ops.Any(o => o.F == Ops.Enqueue && o.Result == OpResult.Ok))
            {
                continue;
            }

            any = true;
            CheckQueue(queue, ops, result);
        }

        return any ? result : CheckResult.Skip(Name, "no acknowledged enqueues");
    }

    private void CheckQueue(string queue, List<Operation> ops, CheckResult result)
    {
        // Acknowledged-at (earliest ok completion) and invoked-at (earliest attempt) per value.
        var acked = new Dictionary<string, double>(StringComparer.Ordinal);
        var invoked = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in ops.Where(o => o.F == Ops.Enqueue && o.Value is not null))
        {
            invoked[e.Value!] = Math.Min(invoked.GetValueOrDefault(e.Value!, double.MaxValue), e.InvokeMs);
            if (e.Result == OpResult.Ok)
            {
                acked[e.Value!] = Math.Min(acked.GetValueOrDefault(e.Value!, double.MaxValue), e.CompleteMs);
            }
        }

        var deliveries = Deliveries.All(ops).Where(d => d.Message.Value is not null).ToList();
        var earliestInvoke = new Dictionary<string, Operation>(StringComparer.Ordinal);
        var earliestComplete = new Dictionary<string, Operation>(StringComparer.Ordinal);
        foreach (var d in deliveries)
        {
            var v = d.Message.Value!;
            if (!earliestInvoke.TryGetValue(v, out var a) || d.Op.InvokeMs < a.InvokeMs)
            {
                earliestInvoke[v] = d.Op;
            }

            if (!earliestComplete.TryGetValue(v, out var c) || d.Op.CompleteMs < c.CompleteMs)
            {
                earliestComplete[v] = d.Op;
            }
        }

        var uncertainClaims = ops.Where(o => o.F == Ops.Claim && o.Result == OpResult.Info).ToList();

        // Every pair (A, B) with A acknowledged before B was invoked, both delivered. O(n²) in the
        // worst case, which is fine for the history sizes a run produces.
        var ackOrder = acked.Where(kv => earliestInvoke.ContainsKey(kv.Key)).OrderBy(kv => kv.Value).ToList();
        var bOrder = invoked.Where(kv => earliestComplete.ContainsKey(kv.Key)).OrderBy(kv => kv.Value).ToList();
        foreach (var (b, bInvokedMs) in bOrder)
        {
            var y = earliestComplete[b];

            // An indeterminate claim Z may have taken effect any time in [Z.invoke, Z.complete + slack]
            // and then hidden the messages it took for its ttl (plus skew). It can excuse A only if
            // its effect overlapped Y and A already existed by then.
            var latestHiderMs = double.MinValue;
            foreach (var z in uncertainClaims)
            {
                if (z.InvokeMs < y.CompleteMs && y.InvokeMs < z.CompleteMs + slackMs + ((z.TtlSeconds ?? 0) * 1000.0) + skewMs)
                {
                    latestHiderMs = Math.Max(latestHiderMs, z.CompleteMs + slackMs);
                }
            }

            result.Add("pairs-checked");
            var excused = false;
            string? violator = null;
            for (var i = 0; i < ackOrder.Count && ackOrder[i].Value < bInvokedMs; i++)
            {
                var a = ackOrder[i].Key;
                if (earliestInvoke[a].InvokeMs <= y.CompleteMs)
                {
                    continue;
                }

                if (invoked[a] < latestHiderMs)
                {
                    excused = true;
                    continue;
                }

                violator = a;
                break;
            }

            if (violator is not null)
            {
                result.Anomaly("order-violations",
                    $"queue {queue}: {b} (invoked {bInvokedMs:F0}ms) delivered by {Deliveries.Describe(y)} before {violator} (acknowledged {acked[violator]:F0}ms) was first seen by {Deliveries.Describe(earliestInvoke[violator])}");
            }
            else if (excused)
            {
                result.Add("excused-by-indeterminate-claim");
            }
        }

        CheckWithinResponses(queue, deliveries, acked, invoked, result);
    }

    private static void CheckWithinResponses(string queue, List<Delivery> deliveries, Dictionary<string, double> acked,
        Dictionary<string, double> invoked, CheckResult result)
    {
        foreach (var group in deliveries.GroupBy(d => d.Op.Id))
        {
            var list = group.OrderBy(d => d.Index).ToList();
            for (var i = 0; i < list.Count; i++)
            {
                for (var j = i + 1; j < list.Count; j++)
                {
                    var earlier = list[i].Message.Value!;
                    var later = list[j].Message.Value!;
                    if (acked.TryGetValue(later, out var laterAckedMs) && invoked.TryGetValue(earlier, out var earlierInvokedMs)
                        && laterAckedMs < earlierInvokedMs)
                    {
                        result.Anomaly("order-violations",
                            $"queue {queue}: {Deliveries.Describe(list[i].Op)} lists {earlier} before {later}, but {later} was acknowledged before {earlier} was sent");
                    }
                }
            }
        }
    }
}
