using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.Cli;
using RaftBurrow.Jepsen.Cluster;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Nemesis;
using RaftBurrow.Jepsen.Report;
using RaftBurrow.Jepsen.Workloads;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Runner;

/// <summary>
/// One test run: start the cluster, run the workload with faults on a schedule, heal, wait for
/// recovery, drain, sample convergence, tear everything down (always), check, write the store.
/// </summary>
public sealed class TestRun : IDisposable
{
    private readonly TestOptions _o;
    private readonly TextWriter _log;
    private readonly RunClock _clock = new();
    private readonly ConcurrentQueue<Operation> _ops = new();
    private readonly ConcurrentQueue<FaultEvent> _faults = new();
    private readonly List<ClusterSample> _samples = [];
    private readonly List<string> _notes = [];
    private readonly Random _master;
    private HistoryFile? _historyFile;
    private LocalCluster? _cluster;
    private Firewall? _firewall;
    private int _cleanedUp;
    private bool _harnessFailed;
    private bool _drained;

    private TestRun(TestOptions o, TextWriter log)
    {
        _o = o;
        _log = log;
        _master = new Random(unchecked((int)(o.Seed ^ (o.Seed >> 32))));
        RunId = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{o.Workload}-s{o.Seed}");
        RunDir = Path.GetFullPath(Path.Combine(o.Store, RunId));
    }

    /// <summary>Run id.</summary>
    public string RunId { get; }

    /// <summary>store/&lt;run-id&gt;.</summary>
    public string RunDir { get; }

    /// <summary>Runs a test; returns the exit code (0 valid, 1 anomalies, 2 unknown/error).</summary>
    public static async Task<int> RunAsync(TestOptions o, TextWriter log, CancellationToken ct)
    {
        using var run = new TestRun(o, log);
        return await run.ExecuteAsync(ct);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Cleanup();
        _historyFile?.Dispose();
    }

    private async Task<int> ExecuteAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(RunDir);
        _log.WriteLine($"jepsen-style run {RunId} (seed {_o.Seed}) -> {RunDir}");
        _historyFile = new HistoryFile(Path.Combine(RunDir, "history.jsonl"));
        var emergency = new EventHandler((_, _) => Cleanup());
        AppDomain.CurrentDomain.ProcessExit += emergency;
        try
        {
            await RunPhasesAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Note("interrupted (Ctrl-C): faults healed and servers stopped; the verdict is unknown", fatal: true);
        }
        catch (Exception e)
        {
            // Whatever broke, the run still heals, stops its servers and checks what it recorded.
            Note($"harness error: {e.GetType().Name}: {e.Message}", fatal: true);
        }
        finally
        {
            Cleanup();
            AppDomain.CurrentDomain.ProcessExit -= emergency;
        }

        return Check();
    }

    private async Task RunPhasesAsync(CancellationToken ct)
    {
        var nemeses = new List<INemesis>();
        ZaqarHttpApi api;
        Func<int, CancellationToken, Task<ClusterView?>> view;
        IReadOnlyList<int> nodeIds;
        if (_o.Endpoints.Count > 0)
        {
            if (_o.Nemeses.Count > 0)
            {
                throw new InvalidOperationException("--endpoints tests a cluster the harness does not control: use --nemesis none");
            }

            api = new ZaqarHttpApi(n => new Uri(_o.Endpoints[n - 1]), TimeSpan.FromMilliseconds(_o.RequestTimeoutMs), NewGuid());
            view = api.ClusterAsync;
            nodeIds = Enumerable.Range(1, _o.Endpoints.Count).ToList();
        }
        else
        {
            var cluster = StartCluster(nemeses);
            api = new ZaqarHttpApi(n => new Uri(cluster.Specs[n - 1].HttpUrl), TimeSpan.FromMilliseconds(_o.RequestTimeoutMs), NewGuid());
            view = cluster.Admin.ClusterAsync;
            nodeIds = cluster.NodeIds;
            _log.WriteLine($"waiting up to {_o.ReadyTimeoutSeconds}s for a leader of every partition on every node...");
            if (!await cluster.WaitReadyAsync(TimeSpan.FromSeconds(_o.ReadyTimeoutSeconds), ct))
            {
                throw new InvalidOperationException("cluster did not become ready (a leader for every partition on every node): "
                    + string.Join(" | ", cluster.NodeIds.Select(n => $"n{n}: {cluster.LogTail(n, 5).Replace('\n', ' ')}")));
            }
        }

        using var _ = api;
        var workloadOptions = new WorkloadOptions { ClaimTtlSeconds = _o.ClaimTtlSeconds, ClaimGraceSeconds = _o.ClaimGraceSeconds, Queues = _o.Queues, Consumer = _o.Consumer };
        var workload = Workloads.Workloads.Create(_o.Workload, workloadOptions);
        var recorder = new OpRecorder(api, _clock, Record, workloadOptions);
        foreach (var q in workload.Queues)
        {
            await api.CreateQueueAsync(nodeIds[0], q, ct);
        }

        var setupWorker = new Worker(_o.Concurrency, _o.Concurrency, nodeIds, new Random(_master.Next()));
        await workload.SetupAsync(recorder, setupWorker, ct);

        var interactive = !Console.IsErrorRedirected;
        var progress = new Progress(_clock, recorder, _o.TimeLimitSeconds, _log, interactive);
        var startMs = _clock.NowMs;
        using var stopWorkload = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stopWorkload.CancelAfter(TimeSpan.FromSeconds(_o.TimeLimitSeconds));
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progressTask = progress.RunAsync(startMs, stopProgress.Token);
        var workers = Enumerable.Range(0, _o.Concurrency)
            .Select(i => WorkerLoopAsync(workload, recorder, new Worker(i, _o.Concurrency, nodeIds, new Random(_master.Next())), stopWorkload.Token, ct))
            .ToList();
        var nemesisCtx = _cluster is null ? null : new NemesisContext(_cluster, new Random(_master.Next()), _clock, Record);
        var schedule = NemesisSchedule.Generate(nemeses.Count, _o.TimeLimitSeconds * 1000, _o.NemesisIntervalSeconds * 1000, new Random(_master.Next()));
        var nemesisTask = nemesisCtx is null ? Task.CompletedTask : RunScheduleAsync(schedule, nemeses, nemesisCtx, progress, startMs, ct);
        try
        {
            await Task.WhenAll(workers);
            await nemesisTask;

            progress.Phase = "heal";
            HealEverything(nemeses, nemesisCtx);
            progress.Fault = "none (healed)";
            if (_cluster is not null)
            {
                progress.Phase = "recover";
                if (!await _cluster.WaitReadyAsync(TimeSpan.FromSeconds(_o.ReadyTimeoutSeconds), ct))
                {
                    Note($"after the heal the cluster did not show a leader for every partition within {_o.ReadyTimeoutSeconds}s", fatal: true);
                }

                Record(new FaultEvent { Nemesis = "heal", Action = "recovered", TimeMs = _clock.NowMs });
            }

            await SampleConvergenceAsync(nodeIds, view, ct);
            progress.Phase = "drain";
            _drained = await DrainAsync(workload, recorder, nodeIds, ct);
            progress.Phase = "converge";
            await SampleConvergenceAsync(nodeIds, view, ct);
            ReportCrashes();
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progressTask;
            progress.Print(startMs);
            progress.Done();
        }
    }

    private LocalCluster StartCluster(List<INemesis> nemeses)
    {
        var needsFirewall = _o.Nemeses.Any(n => n.StartsWith("partition", StringComparison.Ordinal));
        CgroupJail? jail = null;
        if (needsFirewall)
        {
            if (!Firewall.Available(_o.Iptables, out var why))
            {
                throw new InvalidOperationException($"the partition nemesis needs root and iptables: {why}");
            }

            jail = CgroupJail.Create(RunId, _o.Nodes, out var cgWhy) ?? throw new InvalidOperationException($"the partition nemesis needs cgroup v2: {cgWhy}");
        }

        var binary = ResolveBinary();
        _log.WriteLine($"server: {binary.FileName} {string.Join(' ', binary.PrefixArgs)}");
        _cluster = new LocalCluster(binary, RunDir, _o.Nodes, _o.Partitions, jail, _o.UnsafeAckBeforeCommit, new Random(_master.Next()), TimeSpan.FromSeconds(2))
        {
            SnapshotEveryEntries = _o.SnapshotEveryEntries,
        };
        foreach (var s in _cluster.Specs)
        {
            _log.WriteLine($"  n{s.Id}: {s.HttpUrl} raft {s.Address}:{s.RaftBasePort}..{s.RaftBasePort + _o.Partitions - 1} log {s.LogPath}");
        }

        if (needsFirewall)
        {
            _firewall = new Firewall(IptablesCommands.ChainName(RunId), _o.Iptables, File.AppendText(Path.Combine(RunDir, "firewall.log")));
            _firewall.Setup();
        }

        foreach (var spec in _o.Nemeses)
        {
            var parts = spec.Split(':', 2);
            var mode = parts.Length == 2 ? parts[1] : null;
            nemeses.Add(parts[0] switch
            {
                "kill" => new KillNemesis(mode),
                "pause" => new PauseNemesis(mode),
                "partition" => new PartitionNemesis(_firewall!, mode),
                "clock" => new ClockNemesis(_o.ClockSkewMs),
                "leader-move" => new LeaderMoveNemesis(_cluster.Admin.AdminPostAsync, _o.LeaderMovePath),
                "membership" => new MembershipNemesis(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120)),
                _ => throw new InvalidOperationException($"unknown nemesis {parts[0]}"),
            });
        }

        _cluster.StartAll();
        return _cluster;
    }

    private ServerBinary ResolveBinary()
    {
        if (_o.ServerBinary is not null && !_o.Build)
        {
            return ServerBinary.FromPath(_o.ServerBinary);
        }

        var repo = _o.Repo ?? ServerBinary.FindRepoRoot(Environment.CurrentDirectory) ?? ServerBinary.FindRepoRoot(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("cannot find the repository (RaftBurrow.sln) to build the server: pass --repo or --server-binary");
        return ServerBinary.Build(repo, _log);
    }

    private async Task WorkerLoopAsync(IWorkload workload, OpRecorder recorder, Worker w, CancellationToken stop, CancellationToken hard)
    {
        var intervalMs = 1000.0 * _o.Concurrency / _o.Rate;
        while (!stop.IsCancellationRequested)
        {
            var t0 = _clock.NowMs;
            try
            {
                await workload.StepAsync(recorder, w, hard);
            }
            catch (OperationCanceledException) when (hard.IsCancellationRequested)
            {
                return;
            }

            var waitMs = (intervalMs * (0.5 + w.Rng.NextDouble())) - (_clock.NowMs - t0);
            if (waitMs > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(waitMs), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunScheduleAsync(IReadOnlyList<ScheduleStep> schedule, List<INemesis> nemeses, NemesisContext ctx, Progress progress, double startMs, CancellationToken ct)
    {
        foreach (var step in schedule)
        {
            var waitMs = startMs + step.AtMs - _clock.NowMs;
            if (waitMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(waitMs), ct);
            }

            var nemesis = nemeses[step.Nemesis];
            try
            {
                if (step.Start)
                {
                    progress.Fault = await nemesis.StartAsync(ctx, ct);
                }
                else
                {
                    await nemesis.StopAsync(ctx, ct);
                    progress.Fault = "none";
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or System.ComponentModel.Win32Exception)
            {
                ctx.Event(nemesis.Name, "error", [], e.Message);
                Note($"nemesis {nemesis.Name} failed: {e.Message}", fatal: false);
            }
        }
    }

    private void HealEverything(List<INemesis> nemeses, NemesisContext? ctx)
    {
        if (ctx is not null)
        {
            foreach (var n in nemeses)
            {
                n.HealAll(ctx);
            }
        }

        _firewall?.Heal();
        ReportCrashes();
        _cluster?.HealAll();
        Record(new FaultEvent { Nemesis = "heal", Action = "heal", TimeMs = _clock.NowMs, Detail = "all faults undone" });
    }

    /// <summary>A server that exited without being killed by a nemesis crashed on its own: worth a note.</summary>
    private void ReportCrashes()
    {
        foreach (var (node, code) in _cluster?.Crashed() ?? [])
        {
            Record(new FaultEvent { Nemesis = "crash", Action = "observed", TimeMs = _clock.NowMs, Targets = [node], Detail = $"exit code {code}" });
            Note($"node {node} exited on its own (exit code {code}); see {_cluster!.Specs[node - 1].LogPath}", fatal: false);
        }
    }

    private async Task SampleConvergenceAsync(IReadOnlyList<int> nodes, Func<int, CancellationToken, Task<ClusterView?>> view, CancellationToken ct)
    {
        var deadline = _clock.NowMs + (_o.ConvergenceTimeoutSeconds * 1000);
        while (true)
        {
            var round = new List<ClusterSample>();
            foreach (var n in nodes)
            {
                if (await view(n, ct) is { } v)
                {
                    round.Add(new ClusterSample(_clock.NowMs, n, v));
                }
            }

            lock (_samples)
            {
                _samples.AddRange(round);
            }

            if (ConvergenceChecker.Converged(round, nodes.Count) || _clock.NowMs > deadline)
            {
                return;
            }

            await Task.Delay(500, ct);
        }
    }

    private async Task<bool> DrainAsync(IWorkload workload, OpRecorder recorder, IReadOnlyList<int> nodes, CancellationToken ct)
    {
        var w = new Worker(_o.Concurrency, _o.Concurrency, nodes, new Random(_master.Next()));
        var deadline = _clock.NowMs + Math.Max(60_000, 6.0 * _o.RequestTimeoutMs);
        var complete = true;
        foreach (var queue in workload.Queues)
        {
            // With claim consumers nothing pops, not even the drain: an indeterminate drain pop could
            // take messages unseen again. The final read (claimed messages included) sees them all.
            var emptied = _o.Consumer == "claim";
            while (!emptied && _clock.NowMs < deadline)
            {
                var pop = await recorder.PopAsync(w, queue, 20, ct, "drain");
                emptied = pop.Result == OpResult.Ok && pop.Messages is { Count: 0 };
                if (pop.Result != OpResult.Ok)
                {
                    await Task.Delay(200, ct);
                }
            }

            var read = false;
            while (!read && _clock.NowMs < deadline)
            {
                read = (await recorder.ReadAsync(w, queue, ct, "drain")).Result == OpResult.Ok;
                if (!read)
                {
                    await Task.Delay(200, ct);
                }
            }

            if (!emptied || !read)
            {
                complete = false;
                Note($"drain of queue {queue} did not complete (emptied by pops: {emptied}, final read: {read})", fatal: true);
            }
        }

        return complete;
    }

    private void Record(Operation op)
    {
        _ops.Enqueue(op);
        _historyFile?.Append(op);
    }

    private void Record(FaultEvent e)
    {
        _faults.Enqueue(e);
        _historyFile?.Append(e);
        _historyFile?.Flush();
    }

    private void Note(string text, bool fatal)
    {
        lock (_notes)
        {
            _notes.Add(text);
        }

        _harnessFailed |= fatal;
        _log.WriteLine();
        _log.WriteLine((fatal ? "error: " : "warning: ") + text);
    }

    private Guid NewGuid()
    {
        var bytes = new byte[16];
        _master.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>Heals and stops everything; idempotent and safe from the ProcessExit handler.</summary>
    private void Cleanup()
    {
        if (Interlocked.Exchange(ref _cleanedUp, 1) == 1)
        {
            return;
        }

        try
        {
            _firewall?.Heal();
            _firewall?.Teardown();
        }
        finally
        {
            _cluster?.Dispose();
            _historyFile?.Flush();
        }
    }

    private int Check()
    {
        _historyFile?.Dispose();
        var history = new RunHistory(_ops.ToList(), _faults.ToList());
        List<ClusterSample> samples;
        lock (_samples)
        {
            samples = _samples.ToList();
        }

        File.WriteAllLines(Path.Combine(RunDir, "cluster-samples.jsonl"), samples.Select(s => JsonSerializer.Serialize(s, HistoryFile.Json)));
        var results = CheckSuite.Run(history, _o, samples.Count == 0 ? null : samples, _o.Nodes);
        if (!_drained)
        {
            // Without a complete drain an unseen message is not evidence of loss.
            var tq = results.FindIndex(r => r.Name == "total-queue");
            if (tq >= 0 && results[tq].Validity == Validity.Invalid && results[tq].Counts.ContainsKey("lost"))
            {
                results[tq].Validity = Validity.Unknown;
                results[tq].Notes.Add("the drain did not complete, so lost messages are not proven lost");
            }
        }

        var run = RunResults.From(RunId, _o, history, results, _notes, _harnessFailed);
        File.WriteAllText(Path.Combine(RunDir, "results.json"), run.ToJson());
        File.WriteAllText(Path.Combine(RunDir, "report.html"), HtmlReport.Render(run, history));
        Summarize(run, _log);
        _log.WriteLine($"report: {Path.Combine(RunDir, "report.html")}");
        return run.ExitCode;
    }

    /// <summary>Prints one line per checker and the verdict.</summary>
    public static void Summarize(RunResults run, TextWriter log)
    {
        foreach (var c in run.Checkers)
        {
            log.WriteLine($"  {c.Name,-14} {c.Validity,-8} {string.Join(", ", c.Counts.Select(kv => $"{kv.Key} {kv.Value}"))}");
            foreach (var a in c.Anomalies.Take(5))
            {
                log.WriteLine($"      ! {a}");
            }

            foreach (var n in c.Notes.Take(3))
            {
                log.WriteLine($"      ? {n}");
            }
        }

        log.WriteLine($"verdict: {run.Valid} (exit {run.ExitCode})");
    }
}
