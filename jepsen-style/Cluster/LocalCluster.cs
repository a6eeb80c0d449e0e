using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>
/// N real `raftburrow` processes on 127.0.0.1..N with free ports, own data dirs and logs. Tracks
/// which are running and paused so that the end of a run can always heal and stop everything.
/// </summary>
public sealed class LocalCluster : IClusterControl, IDisposable
{
    private readonly ServerBinary _binary;
    private readonly CgroupJail? _jail;
    private readonly bool _unsafeAck;
    private readonly ZaqarHttpApi _admin;
    private readonly Dictionary<int, ServerProcess> _procs = [];
    private readonly Dictionary<int, long> _offsets = [];
    private readonly HashSet<int> _paused = [];
    private readonly HashSet<int> _joining = [];
    private readonly Lock _gate = new();

    /// <summary>Lays out (but does not start) a cluster of <paramref name="nodes"/> nodes under <paramref name="runDir"/>.</summary>
    public LocalCluster(ServerBinary binary, string runDir, int nodes, int partitions, CgroupJail? jail, bool unsafeAck, Random rng, TimeSpan adminTimeout)
    {
        _binary = binary;
        _jail = jail;
        _unsafeAck = unsafeAck;
        Partitions = partitions;
        var specs = new List<NodeSpec>();
        for (var id = 1; id <= nodes; id++)
        {
            var dir = Path.Combine(runDir, "n" + id);
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            var address = NodeSpec.AddressOf(id);
            // One contiguous block per node: Raft ports then the HTTP port, so one firewall range covers it.
            var block = PortAllocator.FindFreeBlock(address, partitions + 1, rng);
            specs.Add(new NodeSpec(id, block + partitions, block, Path.Combine(dir, "data"), Path.Combine(dir, "server.log")));
            _offsets[id] = 0;
        }

        Specs = specs;
        NodeIds = specs.Select(s => s.Id).ToList();
        _admin = new ZaqarHttpApi(id => new Uri(Specs[id - 1].HttpUrl), adminTimeout, Guid.Empty);
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> NodeIds { get; }

    /// <inheritdoc/>
    public int Partitions { get; }

    /// <summary>Servers snapshot every this many entries (and every 64 KiB of commands); null: server defaults.</summary>
    public int? SnapshotEveryEntries { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<NodeSpec> Specs { get; }

    /// <summary>Admin client (GET /admin/cluster).</summary>
    public ZaqarHttpApi Admin => _admin;

    /// <inheritdoc/>
    public string? CgroupPath(int node) => _jail?.RelativePath(node);

    /// <summary>Starts every node.</summary>
    public void StartAll()
    {
        foreach (var id in NodeIds)
        {
            Restart(id);
        }
    }

    /// <inheritdoc/>
    public void Restart(int node, long? clockOffsetMs = null)
    {
        lock (_gate)
        {
            if (_procs.Remove(node, out var old))
            {
                old.Dispose();
            }

            _paused.Remove(node);
            if (clockOffsetMs is { } o)
            {
                _offsets[node] = o;
            }

            var spec = Specs[node - 1];
            var env = ServerEnvironment.For(spec, Specs, Partitions, _offsets[node], _unsafeAck, SnapshotEveryEntries, _joining.Contains(node));
            _procs[node] = ServerProcess.Start(_binary, spec, env, _jail?.NodeDirectory(node));
        }
    }

    /// <inheritdoc/>
    public void Kill(int node)
    {
        lock (_gate)
        {
            if (_procs.Remove(node, out var p))
            {
                p.Dispose();
            }

            _paused.Remove(node);
        }
    }

    /// <inheritdoc/>
    public void KillAndWipe(int node)
    {
        lock (_gate)
        {
            Kill(node);
            var dir = new DirectoryInfo(Specs[node - 1].DataDir);
            foreach (var f in dir.EnumerateFiles())
            {
                f.Delete();
            }

            foreach (var d in dir.EnumerateDirectories())
            {
                d.Delete(recursive: true);
            }

            // From now on the node starts with Join=true: with an empty data dir it must wait to be
            // added, never act as a member of the initial configuration (it lost what it voted for).
            // The server ignores Join once the node holds a membership of its own.
            _joining.Add(node);
        }
    }

    /// <inheritdoc/>
    public Task<(int? Status, string Body)> AdminSendAsync(int node, HttpMethod method, string pathAndQuery, string? json, TimeSpan timeout, CancellationToken ct) =>
        _admin.AdminSendAsync(node, method, pathAndQuery, json, timeout, ct);

    /// <inheritdoc/>
    public long ClockOffsetMs(int node) => _offsets[node];

    /// <inheritdoc/>
    public bool IsUp(int node)
    {
        lock (_gate)
        {
            return _procs.TryGetValue(node, out var p) && p.IsRunning;
        }
    }

    /// <inheritdoc/>
    public void Pause(int node)
    {
        lock (_gate)
        {
            if (_procs.TryGetValue(node, out var p) && p.Pause())
            {
                _paused.Add(node);
            }
        }
    }

    /// <inheritdoc/>
    public void Resume(int node)
    {
        lock (_gate)
        {
            if (_procs.TryGetValue(node, out var p))
            {
                p.Resume();
            }

            _paused.Remove(node);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<int> Paused
    {
        get
        {
            lock (_gate)
            {
                return _paused.ToList();
            }
        }
    }

    /// <summary>Nodes whose process exited on its own (crashed), with exit codes.</summary>
    public IReadOnlyList<(int Node, int? ExitCode)> Crashed()
    {
        lock (_gate)
        {
            return _procs.Where(kv => !kv.Value.IsRunning).Select(kv => (kv.Key, kv.Value.ExitCode)).ToList();
        }
    }

    /// <inheritdoc/>
    public async Task<int?> LeaderOfAsync(int partition, CancellationToken ct)
    {
        var views = await ViewsAsync(ct);
        return views.Select(v => (v.NodeId, P: v.Partitions.FirstOrDefault(p => p.Partition == partition)))
            .Where(x => x.P is { Role: "leader" })
            .OrderByDescending(x => x.P!.Term)
            .Select(x => (int?)x.NodeId)
            .FirstOrDefault();
    }

    /// <summary>Views of every running, unpaused node that answers.</summary>
    public async Task<List<ClusterView>> ViewsAsync(CancellationToken ct)
    {
        var paused = Paused;
        var tasks = NodeIds.Where(n => IsUp(n) && !paused.Contains(n)).Select(n => _admin.ClusterAsync(n, ct)).ToList();
        var views = await Task.WhenAll(tasks);
        return views.Where(v => v is not null).Select(v => v!).ToList();
    }

    /// <summary>Polls until every node answers /admin/cluster with a leader for every partition.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            var views = await Task.WhenAll(NodeIds.Select(n => _admin.ClusterAsync(n, ct)));
            if (views.All(v => v is not null && v.HasAllLeaders(Partitions)))
            {
                return true;
            }

            await Task.Delay(250, ct);
        }

        return false;
    }

    /// <summary>Resumes paused nodes and starts the ones that are down (with clock offset 0).</summary>
    public void HealAll()
    {
        foreach (var id in NodeIds)
        {
            Resume(id);
            if (!IsUp(id) || _offsets[id] != 0)
            {
                Restart(id, 0);
            }
        }
    }

    /// <summary>The last lines of a node's log, for error messages.</summary>
    public string LogTail(int node, int lines = 15)
    {
        var path = Specs[node - 1].LogPath;
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no log)";
    }

    /// <summary>Stops every process (resuming paused ones first) and removes the cgroups.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var p in _procs.Values)
            {
                p.Dispose();
            }

            _procs.Clear();
            _paused.Clear();
        }

        _jail?.Remove();
        _admin.Dispose();
    }
}
