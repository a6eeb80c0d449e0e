using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>
/// A cluster of real <c>raftburrow</c> processes on loopback: node i binds 127.0.0.i on free ports
/// (probed), with its data in a temp directory. Nodes can be killed (SIGKILL), stopped (SIGTERM)
/// and restarted with their data. Every process started is killed on dispose.
/// </summary>
public sealed class ServerCluster : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("raftburrow-cluster-").FullName;
    private readonly Dictionary<string, string> _settings;
    private readonly Process?[] _processes;
    private readonly int[] _httpPorts;
    private readonly int[] _raftPorts;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string? _raftHostName;

    /// <param name="nodes">Processes this cluster may run (node ids 1..nodes).</param>
    /// <param name="partitions">P.</param>
    /// <param name="settings">Extra settings for every node.</param>
    /// <param name="members">The initial members (1..members, default all); a node above it starts with
    /// RaftBurrow:Join=true and the members plus itself as peers, waiting to be added.</param>
    /// <param name="raftHostName">A host name resolving to 127.0.0.1 (e.g. "localhost") to give every node as
    /// its RaftAddress instead of its own 127.0.0.N; the Raft port blocks are then probed on 127.0.0.1.</param>
    public ServerCluster(int nodes, int partitions, IReadOnlyDictionary<string, string>? settings = null, int? members = null, string? raftHostName = null)
    {
        _raftHostName = raftHostName;
        Size = nodes;
        InitialMembers = members ?? nodes;
        Partitions = partitions;
        _settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        _processes = new Process?[nodes + 1];
        _httpPorts = new int[nodes + 1];
        _raftPorts = new int[nodes + 1];
        for (var i = 1; i <= nodes; i++)
        {
            _httpPorts[i] = FreePorts.Block(1, Address(i));
            _raftPorts[i] = FreePorts.Block(partitions, raftHostName is null ? Address(i) : IPAddress.Loopback);
        }
    }

    public int Size { get; }

    public int Partitions { get; }

    public int InitialMembers { get; }

    public int RaftBasePort(int node) => _raftPorts[node];

    public static IPAddress Address(int node) => IPAddress.Parse($"127.0.0.{node}");

    /// <summary>The RaftAddress node <paramref name="node"/> is configured (and known to its peers) with.</summary>
    public string RaftAddress(int node) => _raftHostName ?? Address(node).ToString();

    public Uri BaseUri(int node) => new($"http://127.0.0.{node}:{_httpPorts[node]}");

    public string LogPath(int node) => Path.Combine(_root, $"node-{node}", "node.log");

    public bool IsRunning(int node) => _processes[node] is { HasExited: false };

    public async Task StartAllAsync()
    {
        for (var i = 1; i <= InitialMembers; i++)
            Start(i);
        await WaitForLeadersAsync(Enumerable.Range(1, InitialMembers).ToArray());
    }

    public void Start(int node)
    {
        if (IsRunning(node))
            throw new InvalidOperationException($"node {node} runs already");
        var dir = Directory.CreateDirectory(Path.Combine(_root, $"node-{node}")).FullName;
        var dll = Path.Combine(AppContext.BaseDirectory, "raftburrow.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var (key, value) in NodeSettings(node))
            info.ArgumentList.Add($"--{key}={value}");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__RaftBurrow"] = "Information";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(Path.Combine(dir, "node.log"), append: true) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[node] = process;
    }

    private IEnumerable<KeyValuePair<string, string>> NodeSettings(int node)
    {
        var settings = new Dictionary<string, string>
        {
            ["RaftBurrow:NodeId"] = node.ToString(CultureInfo.InvariantCulture),
            ["RaftBurrow:HttpUrl"] = BaseUri(node).ToString().TrimEnd('/'),
            ["RaftBurrow:RaftAddress"] = RaftAddress(node),
            ["RaftBurrow:RaftBasePort"] = _raftPorts[node].ToString(CultureInfo.InvariantCulture),
            ["RaftBurrow:DataDir"] = Path.Combine(_root, $"node-{node}", "data"),
            ["RaftBurrow:Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var k in Enumerable.Range(1, InitialMembers).Append(node).Distinct())
        {
            settings[$"RaftBurrow:Peers:{k}:Id"] = k.ToString(CultureInfo.InvariantCulture);
            settings[$"RaftBurrow:Peers:{k}:RaftAddress"] = RaftAddress(k);
            settings[$"RaftBurrow:Peers:{k}:RaftBasePort"] = _raftPorts[k].ToString(CultureInfo.InvariantCulture);
            settings[$"RaftBurrow:Peers:{k}:HttpUrl"] = BaseUri(k).ToString().TrimEnd('/');
        }
        if (node > InitialMembers)
            settings["RaftBurrow:Join"] = "true";
        foreach (var (key, value) in _settings)
            settings[key] = value;
        return settings;
    }

    /// <summary>kill -9.</summary>
    public void Kill(int node)
    {
        var process = _processes[node] ?? throw new InvalidOperationException($"node {node} was not started");
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        _processes[node] = null;
    }

    /// <summary>SIGSTOP: the process freezes with its sockets open (a hung node, not a dead one).</summary>
    public Task PauseAsync(int node) => SignalAsync(node, "-STOP");

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync(int node) => SignalAsync(node, "-CONT");

    private async Task SignalAsync(int node, string signal)
    {
        var process = _processes[node] ?? throw new InvalidOperationException($"node {node} was not started");
        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then wait for a graceful exit (SIGKILL after 20 s).</summary>
    public async Task StopAsync(int node)
    {
        var process = _processes[node] ?? throw new InvalidOperationException($"node {node} was not started");
        // SIGTERM by PID (the host's graceful shutdown path).
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        _processes[node] = null;
    }

    /// <summary>Waits until each given node answers and knows a leader for every partition.</summary>
    public async Task WaitForLeadersAsync(params int[] nodes)
    {
        try
        {
            await WaitForLeadersCoreAsync(nodes);
        }
        catch (TimeoutException e)
        {
            var tails = nodes.Select(n => $"--- node {n} ({(IsRunning(n) ? "running" : "exited")}):\n" + Tail(LogPath(n)));
            throw new TimeoutException(e.Message + "\n" + string.Join("\n", tails), e);
        }
    }

    private static string Tail(string path) =>
        File.Exists(path) ? string.Join("\n", File.ReadLines(path).TakeLast(30)) : "(no log)";

    private async Task WaitForLeadersCoreAsync(int[] nodes)
    {
        await Eventually.Async(async () =>
        {
            foreach (var node in nodes)
            {
                var view = await AdminAsync(node);
                if (view is null || view.Partitions.Any(p => p.LeaderNodeId is null))
                    return false;
            }
            return true;
        }, TimeSpan.FromSeconds(60), "every partition has a leader");
    }

    /// <summary>GET /admin/cluster of a node, or null when it does not answer.</summary>
    public async Task<AdminView?> AdminAsync(int node)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var json = await _http.GetStringAsync(new Uri(BaseUri(node), "/admin/cluster"), cts.Token);
            return JsonSerializer.Deserialize<AdminView>(json, Json);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The leader of a partition as node <paramref name="askNode"/> sees it.</summary>
    public async Task<int> LeaderOfAsync(int partition, int askNode)
    {
        int leader = 0;
        await Eventually.Async(async () =>
        {
            var view = await AdminAsync(askNode);
            leader = view?.Partitions[partition].LeaderNodeId ?? 0;
            return leader != 0 && IsRunning(leader);
        }, TimeSpan.FromSeconds(30), $"a live leader of partition {partition}");
        return leader;
    }

    /// <summary>Runs a command through node <paramref name="node"/>'s internal execute endpoint (routed / forwarded as a client request would be).</summary>
    public async Task<(HttpStatusCode Status, CommandResult? Result)> ExecuteAsync(int node, int partition, Command command, Guid requestId, CancellationToken cancellationToken = default)
    {
        var commandBytes = CommandCodec.Encode(command);
        var body = new byte[16 + commandBytes.Length];
        requestId.TryWriteBytes(body);
        commandBytes.CopyTo(body, 16);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PostAsync(new Uri(BaseUri(node), $"/internal/v1/partitions/{partition}/execute"), content, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
            return (response.StatusCode, null);
        return (response.StatusCode, CommandCodec.TryDecodeResult(await response.Content.ReadAsByteArrayAsync(cancellationToken)));
    }

    /// <summary>Waits until every running node has applied the same index with the same state hash, per partition.</summary>
    public async Task<IReadOnlyList<AdminView>> WaitConvergedAsync()
    {
        IReadOnlyList<AdminView> views = [];
        try
        {
            await WaitConvergedCoreAsync(v => views = v);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " Last views: " + string.Join(" | ", views.Select(v =>
                $"node {v.NodeId}: " + string.Join(", ", v.Partitions.Select(p => $"p{p.Partition} {p.Role} commit {p.CommitIndex} applied {p.AppliedIndex} hash {p.StateHash}")))), e);
        }
        return views;
    }

    private async Task WaitConvergedCoreAsync(Action<IReadOnlyList<AdminView>> seen)
    {
        IReadOnlyList<AdminView> views;
        await Eventually.Async(async () =>
        {
            var running = Enumerable.Range(1, Size).Where(IsRunning).ToList();
            var answers = await Task.WhenAll(running.Select(AdminAsync));
            if (answers.Any(a => a is null))
                return false;
            views = answers!;
            seen(views);
            for (var p = 0; p < Partitions; p++)
            {
                var rows = views.Select(v => v.Partitions[p]).ToList();
                if (rows.Select(r => r.AppliedIndex).Distinct().Count() != 1 || rows.Select(r => r.StateHash).Distinct().Count() != 1
                    || rows.Any(r => r.AppliedIndex < r.CommitIndex))
                    return false;
            }
            return true;
        }, TimeSpan.FromSeconds(30), "replicas converge (equal applied index and state hash)");
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 1; i <= Size; i++)
        {
            if (_processes[i] is { } process)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
                catch (InvalidOperationException)
                {
                }
                process.Dispose();
                _processes[i] = null;
            }
        }
        _http.Dispose();
        if (Environment.GetEnvironmentVariable("RAFTBURROW_KEEP_TEST_DATA") is null)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed record AdminView(int NodeId, int PartitionCount, IReadOnlyList<AdminNode> Nodes, IReadOnlyList<AdminPartition> Partitions);

public sealed record AdminNode(int Id, string HttpUrl, string RaftAddress, int RaftBasePort, string? Zone);

public sealed record AdminPartition(int Partition, string Role, int? LeaderNodeId, long Term, long CommitIndex, long AppliedIndex, string? StateHash, IReadOnlyList<int?>? Members = null);
