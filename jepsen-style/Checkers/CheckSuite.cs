using RaftBurrow.Jepsen.Cli;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>Runs every checker on a history (and the convergence checker on cluster samples).</summary>
public static class CheckSuite
{
    /// <summary>The history checkers configured from <paramref name="o"/>.</summary>
    public static IReadOnlyList<IHistoryChecker> Checkers(TestOptions o) =>
    [
        new TotalQueueChecker(o.RequestTimeoutMs * 2.0),
        new FifoChecker(o.EffectiveLeaseSkewBoundMs, o.RequestTimeoutMs * 2.0),
        new LeaseChecker(o.EffectiveLeaseSkewBoundMs),
        new IdempotencyChecker(o.IdempotencyWindowSeconds * 1000),
        new LinearizabilityChecker(o.LinMaxOps),
    ];

    /// <summary>Runs all checkers; <paramref name="samples"/> null means convergence was not measured (skipped).</summary>
    public static List<CheckResult> Run(RunHistory history, TestOptions o, IReadOnlyList<ClusterSample>? samples, int nodes)
    {
        var results = new List<CheckResult>();
        foreach (var c in Checkers(o))
        {
            try
            {
                results.Add(c.Check(history));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var r = new CheckResult { Name = c.Name };
                r.Undecided($"checker crashed: {e.GetType().Name}: {e.Message}");
                results.Add(r);
            }
        }

        results.Add(samples is null ? CheckResult.Skip(ConvergenceChecker.Name, "no cluster samples (no admin endpoint used)") : ConvergenceChecker.Check(samples, nodes));
        return results;
    }
}
