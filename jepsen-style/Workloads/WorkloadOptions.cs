namespace RaftBurrow.Jepsen.Workloads;

/// <summary>Knobs shared by the workloads.</summary>
public sealed record WorkloadOptions
{
    /// <summary>Claim ttl (Zaqar's minimum is 60).</summary>
    public int ClaimTtlSeconds { get; init; } = 60;
    /// <summary>Claim grace.</summary>
    public int ClaimGraceSeconds { get; init; } = 60;
    /// <summary>Queues of the queue workload.</summary>
    public int Queues { get; init; } = 3;
    /// <summary>Share of queue-workload steps that pop instead of claim+delete.</summary>
    public double PopFraction { get; init; } = 0.15;
    /// <summary>
    /// How consumers of the queue and fifo workloads take messages: "pop", "claim" (claim, then
    /// delete each claimed message) or "mixed" (<see cref="PopFraction"/> of the steps pop); null
    /// for the workload's default (fifo pops, queue mixes). With claims, no message can leave the
    /// queue unseen: a claim whose answer was lost only hides its messages until the claim expires,
    /// and a delete needs a claim id that a seen answer carried — so total-queue can always decide.
    /// </summary>
    public string? Consumer { get; init; }
    /// <summary>Messages kept in play by the lease workload.</summary>
    public int LeaseMessages { get; init; } = 4;
}
