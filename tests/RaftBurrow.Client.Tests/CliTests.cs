using System.Text.Json;
using RaftBurrow.Cli;
using RaftBurrow.Cli.Commands;
using RaftBurrow.Cli.Output;
using RaftBurrow.Client.Admin;
using RaftBurrow.Client.Tests.Support;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client.Tests;

/// <summary>The CLI: argument parsing, table and --json formatting, and commands run against fake servers.</summary>
public sealed class CliTests
{
    [Fact]
    public void Url_option_is_repeatable_and_comma_separated_and_json_works_anywhere()
    {
        var root = CliApp.Build(TextWriter.Null, TextWriter.Null);
        var parse = root.Parse(["cluster", "--url", "http://127.0.0.1:1,http://127.0.0.2:1", "status", "-u", "127.0.0.3:1", "--json"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(["http://127.0.0.1:1", "http://127.0.0.2:1", "127.0.0.3:1"], GlobalOptions.ResolveUrls(parse.GetValue<string[]>("--url")));
        Assert.True(parse.GetValue<bool>("--json"));
        if (Environment.GetEnvironmentVariable("RAFTBURROW_URL") is null)
        {
            Assert.Equal([GlobalOptions.DefaultUrl], GlobalOptions.ResolveUrls(null));
        }
    }

    [Theory]
    [InlineData("leader transfer --partition 3 --to 2", true)]
    [InlineData("leader transfer --partition 3", false)]
    [InlineData("leader transfer --partition -1 --to 2", false)]
    [InlineData("leader transfer --partition 1 --to 0", false)]
    [InlineData("node add --id 4 --http-url http://127.0.0.4:8888 --raft-address 127.0.0.4 --raft-base-port 9100 --zone b", true)]
    [InlineData("node add --id 4", false)]
    [InlineData("node remove --id 4", true)]
    [InlineData("snapshot --partition 2 --json", true)]
    [InlineData("partitions rebalance", true)]
    [InlineData("queue purge q --only messages", true)]
    [InlineData("queue purge q --only everything", false)]
    [InlineData("message post q --body {\"a\":1} --body 2 --ttl 60", true)]
    [InlineData("message post q", false)]
    [InlineData("message claim q --limit 5 --ttl 60 --grace 60 --delete", true)]
    [InlineData("message delete q id1 id2 --claim-id c", true)]
    [InlineData("bench --producers 4 --consumers 2 --size 512 --batch 10 --queues 2 --duration 5s --warmup 0 --consume pop --limit 20 --json", true)]
    [InlineData("bench --consume sideways", false)]
    [InlineData("--timeout 0 queue list", false)]
    [InlineData("nonsense", false)]
    public void Command_lines_parse_or_are_rejected(string line, bool valid)
    {
        var parse = CliApp.Build(TextWriter.Null, TextWriter.Null).Parse(line.Split(' '));
        Assert.Equal(valid, parse.Errors.Count == 0);
    }

    [Fact]
    public async Task Usage_errors_exit_with_2_and_say_what_is_wrong()
    {
        var (code, _, err) = await CliRun.RunAsync("leader", "transfer", "--partition", "1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--to", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_report_merges_views_computes_lag_and_flags_hash_mismatch()
    {
        var members = new[] { (1, "http://127.0.0.1:8001"), (2, "http://127.0.0.2:8001"), (3, "http://127.0.0.3:8001") };
        var views = new List<NodeClusterView>
        {
            View(1, FakeCluster.View(1, members, p => p % 2 == 0 ? 1 : 2, applied: p => 10 + p, hash: p => "aaaaaaaaaaaaaaa" + p)),
            View(2, FakeCluster.View(2, members, p => p % 2 == 0 ? 1 : 2, applied: p => p == 3 ? 5 : 10 + p, hash: p => p == 1 ? "bbbbbbbbbbbbbbbb" : "aaaaaaaaaaaaaaa" + p)),
            new(new Uri("http://127.0.0.3:8001"), null, "GET /admin/cluster: no answer (Connection refused)"),
        };

        var report = ClusterReport.From(views);
        Assert.Equal(4, report.PartitionCount);
        Assert.Equal([1, 2, 1, 2], report.Partitions.Select(p => p.LeaderNodeId ?? 0));
        Assert.Equal([1], report.HashMismatches);
        Assert.Empty(report.Leaderless);
        Assert.Equal(8, report.Partitions[3].Replicas.Single(r => r.NodeId == 2).Lag); // commit 13 seen, applied 5
        Assert.Equal(0, report.Partitions[3].Replicas.Single(r => r.NodeId == 1).Lag);
        Assert.Equal([2, 2, 0], report.Nodes.Select(n => n.Leads));
        Assert.False(report.Nodes[2].Reachable);

        var text = report.ToText();
        var lines = text.Split('\n');
        Assert.Equal("NODE  URL                    STATE                                                      LEADS  ZONE", lines[0]);
        Assert.Equal("1     http://127.0.0.1:8001  up                                                             2  z1", lines[1]);
        Assert.Equal("3     http://127.0.0.3:8001  DOWN (GET /admin/cluster: no answer (Connection refused))      0  z3", lines[3]);
        Assert.Contains("PART  NODE  ROLE      LEADER  TERM  COMMIT  APPLIED  LAG  STATE HASH", text, StringComparison.Ordinal);
        Assert.Contains("   3     2  leader         2     2      13        5    8  aaaaaaaaaaaaaaa3", text, StringComparison.Ordinal);
        Assert.Contains("bbbbbbbbbbbbbbbb MISMATCH", text, StringComparison.Ordinal);
        Assert.EndsWith("2/3 nodes answered, 4 partitions, every partition has a leader, STATE HASH MISMATCH: partitions 1\n", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, CliContext.JsonOptions));
        var replica = json.RootElement.GetProperty("partitions")[3].GetProperty("replicas")[1];
        Assert.Equal(5, replica.GetProperty("applied_index").GetInt64());
        Assert.Equal(8, replica.GetProperty("lag").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("hash_mismatches")[0].GetInt32());

        static NodeClusterView View(int id, System.Text.Json.Nodes.JsonObject doc) =>
            new(new Uri($"http://127.0.0.{id}:8001"), JsonSerializer.Deserialize<ClusterStatus>(doc.ToJsonString()), null);
    }

    [Fact]
    public async Task FakeServer_cluster_status_prints_a_table_and_json_from_every_node()
    {
        await using var a = await FakeZaqarServer.StartAsync();
        await using var b = await FakeZaqarServer.StartAsync();
        var members = new[] { (1, a.Url.ToString()), (2, b.Url.ToString()) };
        a.Cluster = () => FakeCluster.View(1, members, p => p < 2 ? 1 : 2);
        b.Cluster = () => FakeCluster.View(2, members, p => p < 2 ? 1 : 2);

        var (code, text, _) = await CliRun.RunAsync("cluster", "status", "--url", a.Url.ToString());
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("2/2 nodes answered, 4 partitions, every partition has a leader", text, StringComparison.Ordinal);
        Assert.Equal(8, text.Split('\n').Count(l => l.Contains("follower", StringComparison.Ordinal) || l.Contains("leader ", StringComparison.Ordinal)));

        var (jsonCode, json, _) = await CliRun.RunAsync("cluster", "status", "--url", a.Url.ToString(), "--json");
        Assert.Equal(ExitCodes.Ok, jsonCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(2, doc.RootElement.GetProperty("nodes").GetArrayLength());
        Assert.Equal(2, doc.RootElement.GetProperty("nodes")[1].GetProperty("leads").GetInt32());
    }

    [Fact]
    public async Task FakeServer_admin_commands_report_a_missing_endpoint_clearly_with_exit_code_3()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var (code, _, err) = await CliRun.RunAsync("partitions", "rebalance", "--url", server.Url.ToString());
        Assert.Equal(ExitCodes.NotImplemented, code);
        Assert.Contains("this server does not implement POST /admin/partitions/rebalance", err, StringComparison.Ordinal);

        var (jsonCode, json, _) = await CliRun.RunAsync("node", "remove", "--id", "3", "--url", server.Url.ToString(), "--json");
        Assert.Equal(ExitCodes.NotImplemented, jsonCode);
        using var doc = JsonDocument.Parse(json);
        Assert.True(doc.RootElement.GetProperty("not_implemented").GetBoolean());
        Assert.Equal(404, doc.RootElement.GetProperty("status").GetInt32());

        server.AdminWritesImplemented = true;
        var (okCode, okText, _) = await CliRun.RunAsync("leader", "transfer", "--partition", "2", "--to", "3", "--url", server.Url.ToString());
        Assert.Equal(ExitCodes.Ok, okCode);
        Assert.StartsWith("leadership of partition 2 transferred to node 3", okText, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, (await CliRun.RunAsync("snapshot", "--url", server.Url.ToString())).Code);
        Assert.Equal(ExitCodes.Ok, (await CliRun.RunAsync("node", "add", "--id", "4", "--http-url", "http://127.0.0.4:8888", "--url", server.Url.ToString())).Code);
    }

    [Fact]
    public async Task FakeServer_queue_and_message_commands_round_trip()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var url = server.Url.ToString();
        Assert.Equal("created queue jobs\n", (await CliRun.RunAsync("queue", "create", "jobs", "--metadata", "{\"_default_message_ttl\": 600}", "--url", url)).Out);

        var (postCode, postOut, _) = await CliRun.RunAsync("message", "post", "jobs", "--body", "{\"n\": 1}", "--body", "{\"n\": 2}", "--url", url, "--json");
        Assert.Equal(ExitCodes.Ok, postCode);
        using (var doc = JsonDocument.Parse(postOut))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("ids").GetArrayLength());
        }

        var stats = await CliRun.RunAsync("queue", "stats", "jobs", "--url", url);
        Assert.Equal("QUEUE  TOTAL  FREE  CLAIMED  OLDEST AGE s  NEWEST AGE s\njobs       2     2        0             3             1\n", stats.Out);

        var claim = await CliRun.RunAsync("message", "claim", "jobs", "--limit", "1", "--delete", "--url", url);
        Assert.Equal(ExitCodes.Ok, claim.Code);
        Assert.StartsWith("claim ", claim.Out, StringComparison.Ordinal);
        Assert.Contains("{\"n\":1}", claim.Out, StringComparison.Ordinal);
        Assert.Equal(1, server.MessageCount("jobs"));

        var list = await CliRun.RunAsync("queue", "list", "--url", url, "--json");
        using (var doc = JsonDocument.Parse(list.Out))
        {
            Assert.Equal("jobs", doc.RootElement[0].GetProperty("name").GetString());
        }

        Assert.Equal(ExitCodes.Ok, (await CliRun.RunAsync("queue", "purge", "jobs", "--only", "messages", "--url", url)).Code);
        Assert.Equal(0, server.MessageCount("jobs"));
        var bad = await CliRun.RunAsync("message", "post", "jobs", "--body", "{not json", "--url", url);
        Assert.Equal(ExitCodes.Usage, bad.Code);
        Assert.Contains("--body is not valid JSON", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_server_gives_exit_code_1_and_a_message()
    {
        var (code, _, err) = await CliRun.RunAsync("queue", "stats", "q", "--url", Clients.ClosedPortUrl(), "--retries", "0");
        Assert.Equal(ExitCodes.RequestFailed, code);
        Assert.StartsWith("error: GET /v2/queues/q/stats: no answer", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_table_aligns_columns_and_right_aligns_numbers()
    {
        var t = new TextTable("NAME", "COUNT>").Add("a", "1").Add("longer", "12,345");
        Assert.Equal("NAME     COUNT\na            1\nlonger  12,345\n", t.ToString());
        var messages = MessageCommands.MessageTable([new Message { Id = "m1", Age = 3, Ttl = 60, Body = JsonDocument.Parse("{\"a\": 1}").RootElement }]);
        Assert.Equal("ID  AGE s  TTL s  BODY\nm1      3     60  {\"a\": 1}\n", messages);
    }
}
