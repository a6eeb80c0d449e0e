using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Lease safety: no message is held by two live claims at once. Two successful claims of the same
/// message with different claim ids are a violation when the whole span from the first invocation
/// to the last completion is shorter than the shorter claim ttl minus the skew bound — whatever the
/// real grant instants were, the second was granted while the first was unexpired.
/// </summary>
/// <remarks>
/// A claim that was released, or whose message was deleted with it (ok or indeterminate), before the
/// second claim completed excuses the pair: the first lease may have ended early. A deleted message
/// seen again is the total-queue checker's "resurrected".
/// </remarks>
/// <param name="skewMs">The documented clock-skew bound between replicas.</param>
public sealed class LeaseChecker(double skewMs) : IHistoryChecker
{
    /// <inheritdoc/>
    public string Name => "lease";

    private sealed record Grant(Operation Op, string MessageId, string ClaimId, double TtlMs);

    /// <inheritdoc/>
    public CheckResult Check(RunHistory history)
    {
        var grants = new List<Grant>();
        foreach (var op in history.Operations.Where(o => o.F == Ops.Claim && o.Result == OpResult.Ok && o.Messages is not null))
        {
            foreach (var m in op.Messages!)
            {
                if (m.Id is not null && m.ClaimId is not null)
                {
                    grants.Add(new Grant(op, op.Queue + "/" + m.Id, m.ClaimId, (op.TtlSeconds ?? 0) * 1000.0));
                }
            }
        }

        if (grants.Count == 0)
        {
            return CheckResult.Skip(Name, "no successful claims");
        }

        // Earliest invocation of anything that may have ended a claim early.
        var endedAt = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var op in history.Operations.Where(o => o.F is Ops.Release or Ops.Delete && o.Result != OpResult.Fail && o.ClaimId is not null))
        {
            endedAt[op.ClaimId!] = Math.Min(endedAt.GetValueOrDefault(op.ClaimId!, double.MaxValue), op.InvokeMs);
        }

        var result = new CheckResult { Name = Name };
        result.Add("claims", grants.Count);
        foreach (var perMessage in grants.GroupBy(g => g.MessageId))
        {
            var list = perMessage.OrderBy(g => g.Op.InvokeMs).ToList();
            for (var i = 0; i < list.Count; i++)
            {
                for (var j = i + 1; j < list.Count; j++)
                {
                    var (a, b) = (list[i], list[j]);
                    if (a.ClaimId == b.ClaimId)
                    {
                        continue;
                    }

                    var spanMs = Math.Max(a.Op.CompleteMs, b.Op.CompleteMs) - Math.Min(a.Op.InvokeMs, b.Op.InvokeMs);
                    if (spanMs >= Math.Min(a.TtlMs, b.TtlMs) - skewMs)
                    {
                        continue;
                    }

                    var lastMs = Math.Max(a.Op.CompleteMs, b.Op.CompleteMs);
                    if (endedAt.GetValueOrDefault(a.ClaimId, double.MaxValue) < lastMs || endedAt.GetValueOrDefault(b.ClaimId, double.MaxValue) < lastMs)
                    {
                        result.Add("excused-by-release");
                        continue;
                    }

                    result.Anomaly("double-held",
                        $"message {a.MessageId} held by claim {a.ClaimId} ({Deliveries.Describe(a.Op)}) and claim {b.ClaimId} ({Deliveries.Describe(b.Op)}) within {spanMs:F0}ms < ttl {Math.Min(a.TtlMs, b.TtlMs):F0}ms - skew {skewMs:F0}ms");
                }
            }
        }

        return result;
    }
}
