using Microsoft.Extensions.Logging;

namespace RaftBurrow.Consensus;

/// <summary>
/// The logger factory handed to one partition's DotNext <c>RaftCluster</c>: passes every log call
/// through unchanged, and reports DotNext's "replication of a member failed" warnings (event 74015,
/// arguments <c>Member</c> and <c>EntryIndex</c>, the index the leader retries from) to
/// <see cref="ReplicationFailed"/>.
/// </summary>
/// <remarks>
/// Why a logger: DotNext keeps each follower's replication index internal, and this warning is the
/// only public trace of a replication that the follower keeps rejecting. RaftPartition uses it to
/// detect a follower wedged on an already-installed snapshot (docs/replication.md, "Snapshot install
/// wedge"). The warning is seen even when the logging configuration hides DotNext warnings.
/// Threading: DotNext logs from its replication tasks; handlers must be fast and thread-safe.
/// </remarks>
internal sealed class ReplicationFailureWatcher(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>DotNext.Net.Cluster's event id of "Replication of {Member} is failed. Retry replication from entry {EntryIndex}".</summary>
    private const int ReplicationFailedEventId = 74015;

    /// <summary>Raised with the member (as DotNext prints it) and the index the leader retries from.</summary>
    public event Action<string, long>? ReplicationFailed;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new WatchingLogger(inner.CreateLogger(categoryName), this);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>Does nothing: the inner factory belongs to the host.</summary>
    public void Dispose()
    {
    }

    private void Observe<TState>(EventId eventId, TState state)
    {
        if (eventId.Id != ReplicationFailedEventId || state is not IReadOnlyList<KeyValuePair<string, object?>> arguments)
            return;
        string? member = null;
        long? entryIndex = null;
        foreach (var (name, value) in arguments)
        {
            if (name == "Member")
                member = value?.ToString();
            else if (name == "EntryIndex" && value is long index)
                entryIndex = index;
        }
        if (member is not null && entryIndex is { } retryFrom)
            ReplicationFailed?.Invoke(member, retryFrom);
    }

    private sealed class WatchingLogger(ILogger inner, ReplicationFailureWatcher watcher) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        // Warnings must reach Log even when the configuration filters them out of the output.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            watcher.Observe(eventId, state);
            if (inner.IsEnabled(logLevel))
                inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
