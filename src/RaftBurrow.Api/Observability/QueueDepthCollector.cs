using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Computes the depth gauges when /metrics is scraped: one scatter read over every partition that
/// sums the stats of every project's Zaqar queues into the per-partition gauges
/// (<c>raftburrow_queue_depth</c>, <c>raftburrow_claimed_messages</c>, <c>raftburrow_queues</c>) and
/// per-project totals, of which at most <see cref="ObservabilityOptions.MaxProjectSeries"/> projects get
/// series of their own (<c>raftburrow_project_queue_depth</c>, <c>raftburrow_project_claimed_messages</c>).
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="ObservabilityOptions.MaxQueuesPerPartition"/> queues per partition
/// (the tracked projects' first, then every other project's in name order), at most
/// <see cref="ObservabilityOptions.MaxProjectSeries"/> project series, one collection at a time, none
/// more often than <see cref="ObservabilityOptions.DepthMinIntervalMs"/>, and a deadline.
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

    // Invariant: both only written while _collecting is 1.
    private long? _lastCollectedAtMs;
    private HashSet<string> _exportedProjects = new(StringComparer.Ordinal);

    /// <summary>Creates the collector.</summary>
    public QueueDepthCollector(IQueueService service, IOptions<ObservabilityOptions> options, TimeProvider? time = null)
    {
        _service = service;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        foreach (var project in _options.Projects)
            NoteProject(project);
    }

    /// <summary>The tracked projects (configured, or seen in requests to this node), sorted: visited first and preferred for project series.</summary>
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
            var tracked = TrackedProjects;
            var limit = _options.MaxQueuesPerPartition;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.DepthTimeoutMs);
            try
            {
                var totals = await _service.ReadAllAsync((q, now) => Sum(q, now, tracked, limit), deadline.Token)
                    .WaitAsync(TimeSpan.FromMilliseconds(_options.DepthTimeoutMs), _time, cancellationToken).ConfigureAwait(false);
                for (var p = 0; p < totals.Count; p++)
                    RaftBurrowMetrics.SetQueueDepth(p, totals[p].Queues, totals[p].Messages, totals[p].Claimed);
                ExportProjects(totals, tracked);
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

    /// <summary>
    /// Sets the project series: tracked projects first, then the deepest others (ties by name), at most
    /// <see cref="ObservabilityOptions.MaxProjectSeries"/>; series of projects no longer chosen are removed,
    /// so the exported series count never exceeds the cap.
    /// </summary>
    private void ExportProjects(IReadOnlyList<PartitionDepth> totals, IReadOnlyList<string> tracked)
    {
        var byProject = new Dictionary<string, (long Messages, long Claimed)>(StringComparer.Ordinal);
        foreach (var partition in totals)
        {
            foreach (var (project, depth) in partition.Projects)
            {
                var sum = byProject.GetValueOrDefault(project);
                byProject[project] = (sum.Messages + depth.Messages, sum.Claimed + depth.Claimed);
            }
        }
        RaftBurrowMetrics.ProjectsWithQueues.Set(byProject.Count);
        var trackedSet = tracked.ToHashSet(StringComparer.Ordinal);
        var chosen = byProject
            .OrderByDescending(p => trackedSet.Contains(p.Key))
            .ThenByDescending(p => p.Value.Messages)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, _options.MaxProjectSeries))
            .ToList();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (project, depth) in chosen)
        {
            RaftBurrowMetrics.ProjectQueueDepth.WithLabels(project).Set(depth.Messages);
            RaftBurrowMetrics.ProjectClaimedMessages.WithLabels(project).Set(depth.Claimed);
            exported.Add(project);
        }
        foreach (var gone in _exportedProjects.Where(p => !exported.Contains(p)))
        {
            RaftBurrowMetrics.ProjectQueueDepth.RemoveLabelled(gone);
            RaftBurrowMetrics.ProjectClaimedMessages.RemoveLabelled(gone);
        }
        _exportedProjects = exported;
    }

    /// <summary>
    /// Sums one partition's queues: the tracked projects' first, then every other project's in name
    /// order, at most <paramref name="maxQueues"/> queues in all. Runs under the partition's read lock.
    /// </summary>
    internal static PartitionDepth Sum(IQueueQueries queries, long nowMs, IReadOnlyList<string> tracked, int maxQueues)
    {
        long queues = 0, messages = 0, claimed = 0;
        var projects = new Dictionary<string, (long Messages, long Claimed)>(StringComparer.Ordinal);

        void SumProject(string project)
        {
            long projectMessages = 0, projectClaimed = 0;
            var counted = false;
            string? marker = null;
            while (queues < maxQueues)
            {
                var page = queries.ListQueues(project, marker, (int)Math.Min(PageSize, maxQueues - queues));
                foreach (var queue in page)
                {
                    queues++;
                    counted = true;
                    if (queries.GetQueueStats(project, queue.Name, nowMs) is { } stats)
                    {
                        projectMessages += stats.Total;
                        projectClaimed += stats.Claimed;
                    }
                }
                if (page.Count == 0)
                    break;
                marker = page[^1].Name;
            }
            if (!counted)
                return;
            messages += projectMessages;
            claimed += projectClaimed;
            projects[project] = (projectMessages, projectClaimed);
        }

        foreach (var project in tracked)
            SumProject(project);
        string? projectMarker = null;
        while (queues < maxQueues)
        {
            // Each listed project has at least one queue, so the queue budget bounds the pages too.
            var page = queries.ListProjects(projectMarker, (int)Math.Min(PageSize, maxQueues - queues));
            foreach (var project in page)
            {
                if (!projects.ContainsKey(project))
                    SumProject(project);
            }
            if (page.Count == 0)
                break;
            projectMarker = page[^1];
        }
        return new PartitionDepth(queues, messages, claimed, projects);
    }

    /// <summary>One partition's sums, and each counted project's share of them.</summary>
    internal sealed record PartitionDepth(long Queues, long Messages, long Claimed, IReadOnlyDictionary<string, (long Messages, long Claimed)> Projects);
}
