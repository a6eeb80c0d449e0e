using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Observability;

/// <summary>Source-generated log messages of the HTTP edge (event ids 7000-7099 belong to observability).</summary>
internal static partial class RequestLog
{
    /// <summary>One line per request; the level follows the status (see <see cref="LevelFor"/>).</summary>
    [LoggerMessage(EventId = 7001, EventName = "RequestCompleted",
        Message = "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms (request {RequestId}, partition {Partition})")]
    public static partial void RequestCompleted(ILogger logger, LogLevel level, string method, string route, int statusCode,
        double elapsedMs, string requestId, string partition);

    [LoggerMessage(EventId = 7002, EventName = "RequestFailed", Level = LogLevel.Error,
        Message = "{Method} {Route} threw after {ElapsedMs:0.0} ms (request {RequestId}, partition {Partition})")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string route, double elapsedMs,
        string requestId, string partition);

    [LoggerMessage(EventId = 7003, EventName = "NotReady", Level = LogLevel.Warning,
        Message = "Not ready: {FailedCount} of {PartitionCount} partitions did not answer a read ({Partitions})")]
    public static partial void NotReady(ILogger logger, int failedCount, int partitionCount, string partitions);

    /// <summary>
    /// Successful requests log at Debug (a busy node serves thousands a second), client errors at
    /// Information, server errors (503 when no leader answers) at Warning.
    /// </summary>
    public static LogLevel LevelFor(int statusCode) => statusCode switch
    {
        >= 500 => LogLevel.Warning,
        >= 400 => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
