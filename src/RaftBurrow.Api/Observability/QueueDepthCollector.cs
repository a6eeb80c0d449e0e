using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Computes the per-partition depth gauges (<c>raftburrow_queue_depth</c>, <c>raftburrow_claimed_messages</c>,
/// <c>raftburrow_queues</c>) when /metrics is scraped: one scatter read over every partition that
/// sums the stats of the tracked projects' queues.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="ObservabilityOptions.MaxTrackedProjects"/> projects and
/// <see cref="ObservabilityOptions.MaxQueuesPerPartition"/> queues per partition, one collection at a
/// time, none more often than <see cref="ObservabilityOptions.DepthMinIntervalMs"/>, and a deadline.
/// Threading: safe for concurrent scrapes and <see cref="NoteProject"/> from request threads.
/// </remarks>
public sealed class QueueDepthCollector
{
    private const int MaxProjectLength = 256;
    private const int PageSize = 100;

    private readonly IQueueService _service;
    private readonly ObservabilityOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, byte> _projects = new(StringComparer.Ordinal);
    // 1 while a collection runs: concurrent scrapes skip instead of queueing behind it.
    private int _collecting;

    // Invariant: only written while _collecting is 1.
    private long? _lastCollectedAtMs;

    /// <summary>Creates the collector.</summary>
    public QueueDepthCollector(IQueueService service, IOptions<ObservabilityOptions> options, TimeProvider? time = null)
    {
        _service = service;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        foreach (var project in _options.Projects)
            NoteProject(project);
    }

    /// <summary>The projects whose queues are counted, sorted.</summary>
    public IReadOnlyList<string> TrackedProjects => _projects.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Adds a project to the tracked set (ignored when the set is full or the name is unreasonable).</summary>
    public void NoteProject(string? project)
    {
        if (project is null || project.Length > MaxProjectLength || _projects.ContainsKey(project))
            return;
        if (_projects.Count < _options.MaxTrackedProjects)
            _projects.TryAdd(project, 0);
    }

    /// <summary>
    /// Refreshes the gauges unless a collection ran less than the minimum interval ago or one is running.
    /// Returns whether it collected; failures are counted, never thrown (a scrape must still answer).
    /// </summary>
    public async Task<bool> MaybeCollectAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _collecting, 1, 0) != 0)
            return false;
        try
        {
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (_lastCollectedAtMs is { } lastMs && nowMs - lastMs < _options.DepthMinIntervalMs)
                return false;
            _lastCollectedAtMs = nowMs;
            var projects = TrackedProjects;
            var limit = _options.MaxQueuesPerPartition;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.DepthTimeoutMs);
            try
            {
                var totals = await _service.ReadAllAsync((q, now) => Sum(q, now, projects, limit), deadline.Token)
                    .WaitAsync(TimeSpan.FromMilliseconds(_options.DepthTimeoutMs), _time, cancellationToken).ConfigureAwait(false);
                for (var p = 0; p < totals.Count; p++)
                    RaftBurrowMetrics.SetQueueDepth(p, totals[p].Queues, totals[p].Messages, totals[p].Claimed);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RaftBurrowMetrics.DepthCollectionFailures.Inc();
                return false;
            }
        }
        finally
        {
            Volatile.Write(ref _collecting, 0);
        }
    }

    /// <summary>Sums one partition's queues of <paramref name="projects"/>; runs under the partition's read lock.</summary>
    internal static PartitionDepth Sum(IQueueQueries queries, long nowMs, IReadOnlyList<string> projects, int maxQueues)
    {
        long queues = 0, messages = 0, claimed = 0;
        foreach (var project in projects)
        {
            string? marker = null;
            while (queues < maxQueues)
            {
                var page = queries.ListQueues(project, marker, (int)Math.Min(PageSize, maxQueues - queues));
                foreach (var queue in page)
                {
                    queues++;
                    if (queries.GetQueueStats(project, queue.Name, nowMs) is { } stats)
                    {
                        messages += stats.Total;
                        claimed += stats.Claimed;
                    }
                }
                if (page.Count == 0)
                    break;
                marker = page[^1].Name;
            }
        }
        return new PartitionDepth(queues, messages, claimed);
    }

    /// <summary>One partition's sums.</summary>
    internal readonly record struct PartitionDepth(long Queues, long Messages, long Claimed);
}
