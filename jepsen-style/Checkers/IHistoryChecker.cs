using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>A checker over a client history. Pure: the same history gives the same result.</summary>
public interface IHistoryChecker
{
    /// <summary>Name in results.json and the report.</summary>
    string Name { get; }

    /// <summary>Checks the history.</summary>
    CheckResult Check(RunHistory history);
}
