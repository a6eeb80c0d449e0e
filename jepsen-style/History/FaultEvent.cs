namespace RaftBurrow.Jepsen.History;

/// <summary>A nemesis action recorded in the same history as the operations.</summary>
public sealed class FaultEvent
{
    /// <summary>Kind discriminator in the JSONL file.</summary>
    public string Kind { get; init; } = "fault";
    /// <summary>Nemesis name (kill, pause, partition, clock, leader-move, heal).</summary>
    public string Nemesis { get; init; } = "";
    /// <summary>start, stop, skip or error.</summary>
    public string Action { get; init; } = "";
    /// <summary>ms since run start.</summary>
    public double TimeMs { get; init; }
    /// <summary>Affected nodes (1-based).</summary>
    public IReadOnlyList<int> Targets { get; init; } = [];
    /// <summary>Human readable: mode, grudge, offsets.</summary>
    public string? Detail { get; init; }
}
