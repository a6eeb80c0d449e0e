namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>One step of a fault schedule.</summary>
/// <param name="AtMs">When, in ms after the workload starts.</param>
/// <param name="Nemesis">Index into the run's nemesis list.</param>
/// <param name="Start">Start (true) or stop (false).</param>
public readonly record struct ScheduleStep(double AtMs, int Nemesis, bool Start);

/// <summary>
/// The fault schedule, a pure function of the seed: quiet, fault, quiet, fault... Faults take the
/// nemeses in rounds, each round a fresh random order, so every nemesis gets its turn as soon as
/// there is room for it (a short smoke test with kill,pause,partition sees all three). Each fault
/// is held for 0.5–1.5 intervals; quiet gaps are 0.5–1.5 intervals. Every start has a stop no later
/// than the time limit, so the workload always ends healed.
/// </summary>
public static class NemesisSchedule
{
    /// <summary>Generates the schedule.</summary>
    public static IReadOnlyList<ScheduleStep> Generate(int nemeses, double timeLimitMs, double intervalMs, Random rng)
    {
        var steps = new List<ScheduleStep>();
        if (nemeses == 0 || intervalMs <= 0)
        {
            return steps;
        }

        var t = intervalMs * (0.5 + (0.5 * rng.NextDouble()));
        var round = new Queue<int>();
        while (t + (intervalMs * 0.25) < timeLimitMs)
        {
            if (round.Count == 0)
            {
                foreach (var n in Enumerable.Range(0, nemeses).OrderBy(_ => rng.Next()))
                {
                    round.Enqueue(n);
                }
            }

            var which = round.Dequeue();
            var stop = Math.Min(t + (intervalMs * (0.5 + rng.NextDouble())), timeLimitMs);
            steps.Add(new ScheduleStep(t, which, true));
            steps.Add(new ScheduleStep(stop, which, false));
            t = stop + (intervalMs * (0.5 + rng.NextDouble()));
        }

        return steps;
    }
}
