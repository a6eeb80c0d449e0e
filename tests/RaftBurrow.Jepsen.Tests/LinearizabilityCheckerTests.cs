using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.History;
using Xunit.Abstractions;

namespace RaftBurrow.Jepsen.Tests;

public class LinearizabilityCheckerTests(ITestOutputHelper output)
{
    private static Validity Check(HistoryBuilder h, int maxOps = 5000, long maxStates = 1_000_000) =>
        new LinearizabilityChecker(maxOps, maxStates).Check(h.Build()).Validity;

    [Fact]
    public void Sequential_fifo_history_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Pop(40, 50, 1, values: "1");
        h.Pop(60, 70, 5, values: "2");
        h.Pop(80, 90, 5);
        Assert.Equal(Validity.Valid, Check(h));
    }

    [Fact]
    public void Concurrent_enqueues_may_linearize_in_either_order()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 100);
        h.Enq("2", 10, 90);
        h.Pop(200, 210, 2, values: ["2", "1"]);
        Assert.Equal(Validity.Valid, Check(h));
    }

    [Fact]
    public void Popping_out_of_real_time_order_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Pop(40, 50, 1, values: "2");
        Assert.Equal(Validity.Invalid, Check(h));
    }

    [Fact]
    public void A_pop_returning_fewer_than_available_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Pop(40, 50, 5, values: "1");
        Assert.Equal(Validity.Invalid, Check(h));
    }

    [Fact]
    public void An_empty_pop_after_an_acknowledged_enqueue_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Pop(40, 50, 1);
        Assert.Equal(Validity.Invalid, Check(h));
    }

    [Fact]
    public void A_value_popped_twice_is_not_linearizable()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Pop(20, 30, 1, values: "1");
        h.Pop(40, 50, 1, values: "1");
        Assert.Equal(Validity.Invalid, Check(h));
    }

    [Fact]
    public void An_indeterminate_enqueue_may_take_effect_late_or_never()
    {
        var late = new HistoryBuilder();
        late.Enq("1", 0, 10, OpResult.Info);
        late.Enq("2", 20, 30);
        late.Pop(40, 50, 2, values: ["2", "1"]);
        Assert.Equal(Validity.Valid, Check(late));

        var never = new HistoryBuilder();
        never.Enq("1", 0, 10, OpResult.Info);
        never.Enq("2", 20, 30);
        never.Pop(40, 50, 2, values: "2");
        Assert.Equal(Validity.Valid, Check(never));
    }

    [Fact]
    public void An_indeterminate_operation_takes_effect_within_its_horizon_or_never()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10, OpResult.Info);
        h.Enq("2", 500, 510);
        h.Pop(600, 610, 2, values: ["2", "1"]);
        Assert.Equal(Validity.Valid, new LinearizabilityChecker().Check(h.Build()).Validity);
        Assert.Equal(Validity.Invalid, new LinearizabilityChecker(infoHorizonMs: 100).Check(h.Build()).Validity);

        var never = new HistoryBuilder();
        never.Enq("1", 0, 10, OpResult.Info);
        never.Enq("2", 500, 510);
        never.Pop(600, 610, 2, values: "2");
        never.Pop(700, 710, 2);
        Assert.Equal(Validity.Valid, new LinearizabilityChecker(infoHorizonMs: 100).Check(never.Build()).Validity);

        var within = new HistoryBuilder();
        within.Enq("1", 0, 10, OpResult.Info);
        within.Enq("2", 50, 60);
        within.Pop(600, 610, 2, values: ["2", "1"]);
        Assert.Equal(Validity.Valid, new LinearizabilityChecker(infoHorizonMs: 100).Check(within.Build()).Validity);
    }

    [Fact]
    public void An_indeterminate_pop_may_have_removed_the_head()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 20, 30);
        h.Pop(35, 38, 1, OpResult.Info);
        h.Pop(40, 50, 1, values: "2");
        Assert.Equal(Validity.Valid, Check(h));
    }

    [Fact]
    public void Failed_operations_are_ignored()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10, OpResult.Fail);
        h.Pop(40, 50, 1);
        Assert.Equal(Validity.Valid, Check(h));
    }

    [Fact]
    public void Histories_over_the_bound_are_unknown_and_claims_are_skipped()
    {
        var h = new HistoryBuilder();
        for (var i = 0; i < 10; i++)
        {
            h.Enq(i.ToString(), i * 10, (i * 10) + 5);
        }

        Assert.Equal(Validity.Unknown, Check(h, maxOps: 5));

        var c = new HistoryBuilder();
        c.Enq("1", 0, 10);
        c.Claim(20, 30, 60, "c", "1");
        Assert.Equal(Validity.Skipped, Check(c));
    }

    [Fact]
    public void An_exhausted_search_budget_is_unknown()
    {
        var h = new HistoryBuilder();
        for (var i = 0; i < 12; i++)
        {
            h.Enq(i.ToString(), 0, 1000);
        }

        h.Pop(2000, 2010, 1, values: "99");
        Assert.Equal(Validity.Unknown, Check(h, maxStates: 50));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    public void Random_histories_produced_by_a_real_fifo_queue_are_linearizable(int seed)
    {
        output.WriteLine($"seed {seed}");
        var (valid, _) = SimulatedHistory(seed, corrupt: false);
        Assert.Equal(Validity.Valid, Check(valid));
    }

    [Fact]
    public void A_long_history_of_a_queue_whose_consumers_keep_up_is_decided()
    {
        var (h, _) = SimulatedHistory(seed: 5, corrupt: false, operations: 4000, spanMs: 200_000, enqueueOneIn: 2);
        var r = new LinearizabilityChecker().Check(h.Build());
        output.WriteLine($"explored {r.Counts["explored"]}");
        Assert.Equal(Validity.Valid, r.Validity);
    }

    [Fact]
    public void A_backlogged_history_too_hard_for_the_budget_is_unknown_never_invalid()
    {
        // With a backlog, concurrent pops leave the order of long-past enqueues open until the
        // search reaches them; the search may run out of budget, which must not read as a violation.
        var (h, _) = SimulatedHistory(seed: 5, corrupt: false, operations: 400, spanMs: 20_000, enqueueOneIn: 3);
        var r = new LinearizabilityChecker(maxStates: 200_000).Check(h.Build());
        output.WriteLine($"{r.Validity}, explored {r.Counts["explored"]}");
        Assert.NotEqual(Validity.Invalid, r.Validity);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(99)]
    public void Random_histories_with_two_swapped_pop_results_are_rejected(int seed)
    {
        output.WriteLine($"seed {seed}");
        var (corrupted, swapped) = SimulatedHistory(seed, corrupt: true);
        Assert.True(swapped, "the simulation found two pops to swap");
        Assert.Equal(Validity.Invalid, Check(corrupted));
    }

    [Fact]
    public void The_history_is_split_at_quiescent_points_only()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2", 10, 20);                       // touches the first: same segment
        h.Pop(25, 30, 1, values: "1");            // gap before: new segment
        h.Pop(40, 45, 1, OpResult.Info);          // indeterminate: reaches to 45 + horizon
        h.Enq("3", 100, 110);                     // inside that horizon: same segment
        h.Pop(200, 210, 2, values: ["2", "3"]);   // after it: new segment
        var ops = h.Build().Operations.ToList();
        var segments = LinearizabilityChecker.Segments(ops, infoHorizonMs: 100);
        Assert.Equal([[0, 1], [2], [3, 4], [5]], segments.Select(s => s.ToArray()).ToArray());
        Assert.Single(LinearizabilityChecker.Segments(ops, double.PositiveInfinity).Skip(2));
    }

    [Fact]
    public void A_later_segment_can_send_the_search_back_for_another_end_state_of_an_earlier_one()
    {
        // Segment 1 may end with [] (the indeterminate pop took 1) or [1] (it never happened);
        // segment 2 needs [1]. The search must come back into segment 1 for its second end state.
        var good = new HistoryBuilder();
        good.Enq("1", 0, 10);
        good.Pop(20, 30, 1, OpResult.Info);
        good.Pop(300, 310, 1, values: "1");
        Assert.Equal(3, LinearizabilityChecker.Segments(good.Build().Operations.ToList(), 100).Count);
        Assert.Equal(Validity.Valid, new LinearizabilityChecker(infoHorizonMs: 100).Check(good.Build()).Validity);

        // And when no end state of segment 1 lets segment 2 through, the history is rejected.
        var bad = new HistoryBuilder();
        bad.Enq("1", 0, 10);
        bad.Pop(20, 30, 1, OpResult.Info);
        bad.Enq("2", 300, 305);
        bad.Pop(310, 320, 2, values: "2");
        bad.Pop(330, 340, 2, values: "1");
        Assert.Equal(Validity.Invalid, new LinearizabilityChecker(infoHorizonMs: 100).Check(bad.Build()).Validity);
    }

    [Fact]
    public void Ordering_indeterminate_pops_of_equal_limit_loses_no_linearization()
    {
        // Two indeterminate pops; only the later-horizon one (B) can still take 2. The symmetry
        // rule makes B wait for A to be settled (applied or skipped), which must still allow this.
        var ok = new HistoryBuilder();
        ok.Pop(0, 10, 1, OpResult.Info);          // A: may act until 110
        ok.Pop(5, 15, 1, OpResult.Info);          // B: may act until 115
        ok.Enq("1", 20, 30);
        ok.Enq("2", 111, 112);
        ok.Pop(300, 310, 5);                      // empty: A took 1, B took 2
        Assert.Equal(Validity.Valid, new LinearizabilityChecker(infoHorizonMs: 100).Check(ok.Build()).Validity);

        var late = new HistoryBuilder();
        late.Pop(0, 10, 1, OpResult.Info);
        late.Pop(5, 15, 1, OpResult.Info);
        late.Enq("1", 20, 30);
        late.Enq("2", 116, 117);                  // after both horizons: nobody can have taken it
        late.Pop(300, 310, 5);
        Assert.Equal(Validity.Invalid, new LinearizabilityChecker(infoHorizonMs: 100).Check(late.Build()).Validity);
    }

    [Fact]
    public void Many_concurrent_indeterminate_pops_over_a_long_history_are_decided()
    {
        // A fault: 12 pops time out together while producers go on; the consumers keep up
        // otherwise. Splitting plus the indeterminate-pop ordering keep this inside a small budget.
        var h = new HistoryBuilder();
        var next = 0;
        var queue = new Queue<string>();
        for (var t = 0; t < 60_000; t += 100)
        {
            var v = (++next).ToString();
            h.Enq(v, t, t + 20);
            queue.Enqueue(v);
            if (t is >= 20_000 and < 21_200)
            {
                h.Pop(t + 30, t + 5030, 1, OpResult.Info);
                queue.TryDequeue(out _);
            }
            else
            {
                h.Pop(t + 50, t + 70, 1, values: queue.Dequeue());
            }
        }

        var r = new LinearizabilityChecker(maxStates: 2_000_000, infoHorizonMs: 15_000).Check(h.Build());
        output.WriteLine($"{r.Validity}, explored {r.Counts["explored"]}");
        Assert.Equal(Validity.Valid, r.Validity);
    }

    [Fact]
    public void A_value_nobody_saw_is_explained_by_an_indeterminate_pop_without_trying_them_everywhere()
    {
        // 12 pops time out at 20 s and take nothing then; one of them takes a value at 30 s
        // (within its horizon). The consumers keep up otherwise. The search has to find which pop
        // and when, but should not try the pending pops on every non-empty queue first.
        var r = new LinearizabilityChecker(maxStates: 400_000, infoHorizonMs: 15_000).Check(LostValueHistory(lossAtMs: 30_000).Build());
        output.WriteLine($"{r.Validity}, explored {r.Counts["explored"]}");
        Assert.Equal(Validity.Valid, r.Validity);

        // A value lost after every horizon has passed cannot be explained.
        Assert.Equal(Validity.Invalid, new LinearizabilityChecker(infoHorizonMs: 15_000).Check(LostValueHistory(lossAtMs: 50_000).Build()).Validity);
    }

    private static HistoryBuilder LostValueHistory(int lossAtMs)
    {
        var h = new HistoryBuilder();
        var next = 0;
        var queue = new Queue<string>();
        for (var t = 0; t < 60_000; t += 100)
        {
            var v = (++next).ToString();
            h.Enq(v, t, t + 20);
            queue.Enqueue(v);
            if (t is >= 20_000 and < 21_200)
            {
                h.Pop(t + 30, t + 5030, 1 + (t / 100 % 3), OpResult.Info);
            }

            if (t == lossAtMs)
            {
                queue.Dequeue();
                continue;
            }

            h.Pop(t + 50, t + 70, 3, values: [.. queue]);
            queue.Clear();
        }

        return h;
    }

    /// <summary>
    /// Runs a real queue with operations that take effect at a random instant inside their
    /// [invoke, complete] interval, so the history is linearizable by construction. With corrupt,
    /// the results of two non-overlapping single-value pops are swapped.
    /// </summary>
    private static (HistoryBuilder History, bool Swapped) SimulatedHistory(int seed, bool corrupt, int operations = 60, int spanMs = 5000, int enqueueOneIn = 3)
    {
        var rng = new Random(seed);
        var events = new List<(double At, double Inv, double Comp, bool Enq, int Limit)>();
        for (var i = 0; i < operations; i++)
        {
            var inv = rng.Next(0, spanMs);
            var comp = inv + rng.Next(1, 300);
            var at = inv + (rng.NextDouble() * (comp - inv));
            events.Add((at, inv, comp, rng.Next(enqueueOneIn) != 0, 1 + rng.Next(2)));
        }

        var queue = new Queue<string>();
        var next = 0;
        var results = new List<(double Inv, double Comp, bool Enq, int Limit, string[] Values)>();
        foreach (var e in events.OrderBy(e => e.At))
        {
            if (e.Enq)
            {
                var v = (next++).ToString();
                queue.Enqueue(v);
                results.Add((e.Inv, e.Comp, true, 0, [v]));
            }
            else
            {
                var popped = new List<string>();
                while (popped.Count < e.Limit && queue.Count > 0)
                {
                    popped.Add(queue.Dequeue());
                }

                results.Add((e.Inv, e.Comp, false, e.Limit, popped.ToArray()));
            }
        }

        var swapped = false;
        if (corrupt)
        {
            var pops = results.Select((r, i) => (r, i)).Where(x => !x.r.Enq && x.r.Values.Length == 1).ToList();
            for (var a = 0; a < pops.Count && !swapped; a++)
            {
                for (var b = a + 1; b < pops.Count && !swapped; b++)
                {
                    var (ra, ia) = pops[a];
                    var (rb, ib) = pops[b];
                    if (ra.Comp < rb.Inv || rb.Comp < ra.Inv)
                    {
                        results[ia] = ra with { Values = rb.Values };
                        results[ib] = rb with { Values = ra.Values };
                        swapped = true;
                    }
                }
            }
        }

        var h = new HistoryBuilder();
        foreach (var r in results.OrderBy(r => r.Inv))
        {
            if (r.Enq)
            {
                h.Enq(r.Values[0], r.Inv, r.Comp);
            }
            else
            {
                h.Pop(r.Inv, r.Comp, r.Limit, values: r.Values);
            }
        }

        return (h, swapped);
    }
}
