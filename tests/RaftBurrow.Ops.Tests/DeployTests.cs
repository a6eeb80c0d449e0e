using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RaftBurrow.Ops.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace RaftBurrow.Ops.Tests;

/// <summary>
/// The deployment files cannot run here (no systemd, container engine or Kubernetes), so they are
/// parsed and checked against the repository: binary name, ports, probes, and that every
/// configuration key they set is documented.
/// </summary>
public sealed class DeployTests
{
    private static readonly string Binary = ServerAssemblyName();

    [Fact]
    public void The_statefulset_runs_three_nodes_with_probes_volumes_and_stable_peer_names()
    {
        var documents = LoadYaml(RepoPaths.Of("deploy", "kubernetes", "raftburrow.yaml"));
        var byKind = documents.ToLookup(d => Scalar(d, "kind"));
        var set = Assert.Single(byKind["StatefulSet"]);
        var configMap = Assert.Single(byKind["ConfigMap"]);
        var services = byKind["Service"].ToList();

        Assert.Equal("3", Scalar(set, "spec", "replicas"));
        Assert.Equal("Parallel", Scalar(set, "spec", "podManagementPolicy"));
        var serviceName = Scalar(set, "spec", "serviceName");
        var headless = Assert.Single(services, s => Scalar(s, "metadata", "name") == serviceName);
        Assert.Equal("None", Scalar(headless, "spec", "clusterIP"));
        Assert.Equal("true", Scalar(headless, "spec", "publishNotReadyAddresses"));

        var container = (YamlMappingNode)Seq(set, "spec", "template", "spec", "containers").Single();
        Assert.Equal("/readyz", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Scalar(container, "livenessProbe", "httpGet", "path"));
        var ports = Seq(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => int.Parse(Scalar(p, "containerPort")));
        Assert.Equal(8888, ports["http"]);
        var partitions = int.Parse(Scalar(configMap, "data", "RaftBurrow__Partitions"));
        var raftBase = int.Parse(Scalar(configMap, "data", "RaftBurrow__RaftBasePort"));
        for (var p = 0; p < partitions; p++)
            Assert.Equal(raftBase + p, ports[$"raft-{p}"]);
        Assert.Equal("http", Scalar(container, "readinessProbe", "httpGet", "port"));
        Assert.Contains(Binary, string.Join(" ", Seq(container, "command").Select(n => ((YamlScalarNode)n).Value)), StringComparison.Ordinal);

        // Per-pod storage mounted where DataDir points.
        var claim = (YamlMappingNode)Seq(set, "spec", "volumeClaimTemplates").Single();
        var mount = Seq(container, "volumeMounts").Cast<YamlMappingNode>().Single(m => Scalar(m, "name") == Scalar(claim, "metadata", "name"));
        Assert.Equal(Scalar(configMap, "data", "RaftBurrow__DataDir"), Scalar(mount, "mountPath"));

        // Three peers, ids 1..3, each addressed by its pod's stable name under the headless service.
        var data = ((YamlMappingNode)configMap["data"]).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), data[$"RaftBurrow__Peers__{i}__Id"]);
            Assert.Equal($"http://raftburrow-{i}.{serviceName}:8888", data[$"RaftBurrow__Peers__{i}__HttpUrl"]);
            Assert.Equal($"raftburrow-{i}.{serviceName}", data[$"RaftBurrow__Peers__{i}__RaftAddress"]);
        }
        Assert.False(data.ContainsKey("RaftBurrow__Peers__3__Id"));

        var env = Seq(container, "env").Cast<YamlMappingNode>().Select(e => Scalar(e, "name"));
        AssertDocumented(data.Keys.Concat(env).Append("RaftBurrow__NodeId"), "deploy/kubernetes/raftburrow.yaml");
    }

    [Fact]
    public void The_systemd_unit_has_its_sections_runs_the_server_binary_and_sets_documented_keys()
    {
        var unit = ParseUnit(File.ReadAllLines(RepoPaths.Of("deploy", "systemd", "raftburrow.service")));
        Assert.Equal(["Unit", "Service", "Install"], unit.Keys);
        Assert.Contains("network-online.target", unit["Unit"]["After"].Single(), StringComparison.Ordinal);
        var service = unit["Service"];
        var execStart = service["ExecStart"].Single();
        Assert.StartsWith("/", execStart, StringComparison.Ordinal);
        Assert.Equal(Binary, Path.GetFileName(execStart.Split(' ')[0]));
        Assert.Equal("on-failure", service["Restart"].Single());
        Assert.Equal("raftburrow", service["User"].Single());
        Assert.Equal("raftburrow", service["StateDirectory"].Single());
        Assert.Equal("multi-user.target", unit["Install"]["WantedBy"].Single());

        var environment = service["Environment"].Select(e => e.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal("/var/lib/" + service["StateDirectory"].Single(), environment["RaftBurrow__DataDir"]);
        AssertDocumented(environment.Keys, "raftburrow.service");

        var example = File.ReadAllLines(RepoPaths.Of("deploy", "systemd", "raftburrow.env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('=', 2)[0]).ToList();
        Assert.Contains("RaftBurrow__Peers__2__RaftAddress", example);
        AssertDocumented(example, "raftburrow.env.example");
    }

    [Fact]
    public void The_containerfile_is_multi_stage_publishes_the_server_and_runs_it_unprivileged()
    {
        var lines = JoinContinuations(File.ReadAllLines(RepoPaths.Of("deploy", "Containerfile")));
        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);
        Assert.EndsWith(" AS build", froms[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("RUN dotnet publish src/RaftBurrow.Server/RaftBurrow.Server.csproj -c Release", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("COPY --from=build ", StringComparison.Ordinal));

        // Everything copied from the build context exists in the repository.
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
            foreach (var source in parts)
                Assert.True(File.Exists(RepoPaths.Of(source)) || Directory.Exists(RepoPaths.Of(source)), $"COPY source {source} is missing");
        }

        var entrypoint = JsonSerializer.Deserialize<string[]>(lines.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..])!;
        Assert.Equal("/app/" + Binary, entrypoint[0]);
        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains(lines, l => l.StartsWith("EXPOSE ", StringComparison.Ordinal) && l.Contains("8888", StringComparison.Ordinal));

        var env = lines.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l, @"(\w+)=").Select(m => m.Groups[1].Value));
        AssertDocumented(env, "Containerfile");
    }

    [Fact]
    public void The_alert_rules_parse_and_use_only_metrics_the_server_exports()
    {
        var rules = LoadYaml(RepoPaths.Of("deploy", "prometheus", "raftburrow-alerts.yaml")).Single();
        var group = (YamlMappingNode)Seq(rules, "groups").Single();
        var exported = ExportedMetricNames();
        var alerts = Seq(group, "rules").Cast<YamlMappingNode>().ToList();
        Assert.NotEmpty(alerts);
        foreach (var alert in alerts)
        {
            var name = Scalar(alert, "alert");
            Assert.False(string.IsNullOrWhiteSpace(Scalar(alert, "annotations", "summary")), name);
            Assert.Contains(Scalar(alert, "labels", "severity"), new[] { "page", "warn", "info" });
            foreach (Match m in Regex.Matches(Scalar(alert, "expr"), @"\braftburrow_[a-z_]+"))
            {
                var metric = Regex.Replace(m.Value, "_(bucket|count|sum)$", "");
                Assert.True(exported.Contains(metric), $"{name} uses {m.Value}, which RaftBurrowMetrics does not export");
            }
        }
    }

    /// <summary>The names of every metric RaftBurrowMetrics defines.</summary>
    private static HashSet<string> ExportedMetricNames() =>
        typeof(RaftBurrow.Api.Observability.RaftBurrowMetrics)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<Prometheus.Collector>()
            .Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>The server's published binary name (its AssemblyName).</summary>
    private static string ServerAssemblyName() =>
        XDocument.Load(RepoPaths.Of("src", "RaftBurrow.Server", "RaftBurrow.Server.csproj"))
            .Descendants("AssemblyName").Single().Value;

    /// <summary>
    /// Every RaftBurrow/Burrow/Zaqar key (environment form, "__" for ":") is in a configuration table of
    /// the docs; indexes (Peers__0__) match the docs' "i". Runtime and logging keys (DOTNET_, ASPNETCORE_,
    /// Logging__, POD_) belong to .NET, ASP.NET Core or the manifest itself.
    /// </summary>
    private static void AssertDocumented(IEnumerable<string> keys, string where)
    {
        var documented = DocumentedKeys();
        foreach (var key in keys)
        {
            if (key.StartsWith("DOTNET_", StringComparison.Ordinal) || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
                || key.StartsWith("Logging__", StringComparison.Ordinal) || key.StartsWith("POD_", StringComparison.Ordinal))
                continue;
            var normalized = string.Join(":", key.Split("__").Select(s => s.All(char.IsAsciiDigit) ? "i" : s));
            Assert.True(documented.Contains(normalized), $"{where} sets {key} ({normalized}), which no configuration table documents");
        }
    }

    /// <summary>Keys in the first column of the docs' tables: "`A:B:C` / `D`" documents A:B:C and A:B:D.</summary>
    private static HashSet<string> DocumentedKeys()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var doc in new[] { "configuration.md", "operations-observability.md" })
        {
            var path = RepoPaths.Of("docs", doc);
            if (!File.Exists(path))
                continue;
            foreach (var line in File.ReadLines(path).Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
            {
                var names = Regex.Matches(line.Split('|')[1], "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();
                var prefix = names[0][..(names[0].LastIndexOf(':') + 1)];
                keys.Add(names[0]);
                foreach (var name in names.Skip(1))
                    keys.Add(name.Contains(':', StringComparison.Ordinal) ? name : prefix + name);
            }
        }
        return keys;
    }

    private static List<YamlMappingNode> LoadYaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
            stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var mapping = Assert.IsType<YamlMappingNode>(node);
            Assert.True(mapping.Children.TryGetValue(new YamlScalarNode(key), out var child), $"missing key {key} in {string.Join(".", path)}");
            node = child!;
        }
        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(Node(node, path)).Value!;

    private static YamlSequenceNode Seq(YamlNode node, params string[] path) => Assert.IsType<YamlSequenceNode>(Node(node, path));

    /// <summary>A systemd unit: sections in order, each with its keys' values (keys may repeat).</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> ParseUnit(string[] lines)
    {
        var unit = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        Dictionary<string, List<string>>? section = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
                continue;
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = [];
                unit.Add(line[1..^1], section);
                continue;
            }
            Assert.True(section is not null, $"key outside a section: {line}");
            var eq = line.IndexOf('=');
            Assert.True(eq > 0, $"not a key=value line: {line}");
            var key = line[..eq].Trim();
            if (!section!.TryGetValue(key, out var values))
                section[key] = values = [];
            values.Add(line[(eq + 1)..].Trim());
        }
        return unit;
    }

    private static List<string> JoinContinuations(string[] lines)
    {
        var result = new List<string>();
        var current = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                continue;
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            result.Add(current + line);
            current = "";
        }
        return result;
    }
}
