namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>One step of a fault schedule.</summary>
/// <param name="AtMs">When, in ms after the workload starts.</param>
/// <param name="Nemesis">Index into the run's nemesis list.</param>
/// <param name="Start">Start (true) or stop (false).</param>
public readonly record struct ScheduleStep(double AtMs, int Nemesis, bool Start);

/// <summary>
/// The fault schedule, a pure function of the seed: quiet, fault, quiet, fault... Each fault is one
/// nemesis chosen at random, held for 0.5–1.5 intervals; quiet gaps are 0.5–1.5 intervals. Every
/// start has a stop no later than the time limit, so the workload always ends healed.
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
        while (t + (intervalMs * 0.25) < timeLimitMs)
        {
            var which = rng.Next(nemeses);
            var stop = Math.Min(t + (intervalMs * (0.5 + rng.NextDouble())), timeLimitMs);
            steps.Add(new ScheduleStep(t, which, true));
            steps.Add(new ScheduleStep(stop, which, false));
            t = stop + (intervalMs * (0.5 + rng.NextDouble()));
        }

        return steps;
    }
}
