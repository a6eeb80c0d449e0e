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
        new TotalQueueChecker(SlackMs(o)),
        new FifoChecker(o.EffectiveLeaseSkewBoundMs, SlackMs(o)),
        new LeaseChecker(o.EffectiveLeaseSkewBoundMs),
        new IdempotencyChecker(o.IdempotencyWindowSeconds * 1000),
        new LinearizabilityChecker(o.LinMaxOps, infoHorizonMs: SlackMs(o)),
    ];

    /// <summary>
    /// A loss that only indeterminate pops could explain is settled when the queue's whole history
    /// is linearizable: the search found the pops that took those messages.
    /// </summary>
    private static void ResolveWithLinearizability(List<CheckResult> results)
    {
        var total = results.FirstOrDefault(r => r.Name == "total-queue");
        var lin = results.FirstOrDefault(r => r.Name == "linearizable");
        if (total is not { Validity: Validity.Unknown } || lin is null)
        {
            return;
        }

        var undecided = total.Notes.Where(n => n.Contains(": possibly popped: ", StringComparison.Ordinal)).ToList();
        var explained = undecided.Where(n => lin.Notes.Contains(LinearizabilityChecker.LinearizableNote(n[6..n.IndexOf(": possibly popped: ", StringComparison.Ordinal)]))).ToList();
        if (explained.Count == total.Notes.Count)
        {
            total.Validity = Validity.Valid;
            total.Notes.Clear();
            total.Notes.Add("messages only indeterminate pops could have taken: the linearizability check found a linearization in which they did");
        }
    }

    /// <summary>
    /// How long after the client gave up an indeterminate request the server may still apply it:
    /// its own forwarding deadline (about a request timeout), or the longest pause or partition (a
    /// frozen node processes what it received when it resumes) — 1.5 nemesis intervals.
    /// </summary>
    public static double SlackMs(TestOptions o) => (2.0 * o.RequestTimeoutMs) + (1.5 * o.NemesisIntervalSeconds * 1000);

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

        ResolveWithLinearizability(results);
        results.Add(samples is null ? CheckResult.Skip(ConvergenceChecker.Name, "no cluster samples (no admin endpoint used)") : ConvergenceChecker.Check(samples, nodes));
        return results;
    }
}
