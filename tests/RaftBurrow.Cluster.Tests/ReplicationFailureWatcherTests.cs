using Microsoft.Extensions.Logging;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// The watcher behind the snapshot-wedge recovery (docs/replication.md): it must see DotNext's
/// "replication failed" warning with its arguments, ignore other events, and pass everything through.
/// The end-to-end case is ReplicationTests.A_restarted_node_catches_up_through_a_snapshot_and_matches_the_state_hash.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ReplicationFailureWatcherTests
{
    // The shape DotNext.Net.Cluster 6.12 logs (event 74015, arguments Member and EntryIndex).
    private static readonly Action<ILogger, string, long, Exception?> ReplicationFailed = LoggerMessage.Define<string, long>(
        LogLevel.Warning, new EventId(74015, "DotNext.Net.Cluster.ReplicationFailed"),
        "Replication of {Member} is failed. Retry replication from entry {EntryIndex}");

    private static readonly Action<ILogger, string, long, Exception?> OtherWarning = LoggerMessage.Define<string, long>(
        LogLevel.Warning, new EventId(74010, "DotNext.Net.Cluster.Other"), "Member {Member} at {EntryIndex}");

    [Fact]
    public void Reports_failed_replications_and_passes_every_log_call_through()
    {
        var sink = new RecordingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(sink).SetMinimumLevel(LogLevel.Warning));
        var watcher = new ReplicationFailureWatcher(factory);
        var seen = new List<(string Member, long EntryIndex)>();
        watcher.ReplicationFailed += (member, index) => seen.Add((member, index));
        var logger = watcher.CreateLogger("DotNext.Net.Cluster.Consensus.Raft.RaftCluster");

        ReplicationFailed(logger, "127.0.0.3:9100", 0, null);
        OtherWarning(logger, "127.0.0.3:9100", 5, null);
        logger.LogInformation("filtered out by the inner factory");

        Assert.Equal([("127.0.0.3:9100", 0L)], seen);
        Assert.Equal(2, sink.Messages.Count);
        Assert.Equal("Replication of 127.0.0.3:9100 is failed. Retry replication from entry 0", sink.Messages[0]);
    }

    [Fact]
    public void Sees_the_warning_even_when_the_configuration_hides_it()
    {
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.None));
        var watcher = new ReplicationFailureWatcher(factory);
        var count = 0;
        watcher.ReplicationFailed += (_, _) => count++;
        ReplicationFailed(watcher.CreateLogger("DotNext"), "127.0.0.2:9101", 0, null);
        Assert.Equal(1, count);
    }

    private sealed class RecordingProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recorder(Messages);

        public void Dispose()
        {
        }

        private sealed class Recorder(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Add(formatter(state, exception));
        }
    }
}
