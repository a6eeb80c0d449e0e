using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using RaftBurrow.Client.Tests.Support;

namespace RaftBurrow.Client.Tests;

/// <summary>scripts/plot_bench.py and scripts/bench.sh as real processes (python3 and bash).</summary>
public sealed class ScriptsTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public async Task Plot_script_draws_one_series_per_label_and_workload_and_skips_bad_lines()
    {
        var dir = Directory.CreateTempSubdirectory("plot-bench-");
        try
        {
            var input = Path.Combine(dir.FullName, "runs.jsonl");
            await File.WriteAllLinesAsync(input,
            [
                """{"label": "zaqar15", "run": "post1-c16", "concurrency": 16, "result": {"workload": "post", "msgs_per_s": 1115.0}}""",
                """{"label": "zaqar15", "run": "post1-c64", "concurrency": 64, "result": {"workload": "post", "msgs_per_s": 1120.0}}""",
                """{"label": "raftburrow", "run": "post10-c16", "concurrency": 16, "result": {"workload": "post", "msgs_per_s": 32722.0}}""",
                """{"label": "raftburrow", "run": "claim-c16", "concurrency": 16, "result": {"workload": "claim_delete", "msgs_consumed_per_s": 2500.0}}""",
                "not json",
            ]);
            var svg = Path.Combine(dir.FullName, "out.svg");
            var (code, _, err) = await RunAsync("python3", Path.Combine(Root, "scripts", "plot_bench.py"), "-o", svg, input);
            Assert.Equal(0, code);
            Assert.Contains("skipped", err, StringComparison.Ordinal);

            var doc = XDocument.Load(svg);
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(3, doc.Descendants(ns + "path").Count()); // zaqar15 post1, raftburrow post10, raftburrow claim
            Assert.Equal(4, doc.Descendants(ns + "circle").Count());
            Assert.Contains(doc.Descendants(ns + "text"), t => t.Value == "messages/s (log scale)");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Report_script_combines_every_system_into_one_file_with_target_ratios_and_the_plot_reads_it()
    {
        var dir = Directory.CreateTempSubdirectory("bench-report-");
        try
        {
            string F(string name) => Path.Combine(dir.FullName, name);
            static string Post(string label, string run, int c, double rate, double p99) =>
                "{\"label\": \"" + label + "\", \"run\": \"" + run + "\", \"concurrency\": " + c.ToString(CultureInfo.InvariantCulture)
                + ", \"result\": {\"workload\": \"post\", \"requests\": 1000, \"ok_201\": 1000, \"ok_req_per_s\": " + rate.ToString(CultureInfo.InvariantCulture)
                + ", \"msgs_per_s\": " + rate.ToString(CultureInfo.InvariantCulture) + ", \"lat_ms\": {\"p50\": 1.0, \"p99\": " + p99.ToString(CultureInfo.InvariantCulture)
                + "}, \"socket_errors\": {\"connect\": 0, \"read\": 0, \"write\": 0, \"timeout\": 0}}}";
            await File.WriteAllTextAsync(F("ours.jsonl"), Post("x", "post1-c16", 16, 30000, 8) + "\n" + Post("x", "post1-c64", 64, 40000, 12) + "\n");
            await File.WriteAllTextAsync(F("three.jsonl"), Post("x", "post1-c64", 64, 17000, 20) + "\n");
            await File.WriteAllTextAsync(F("zaqar.jsonl"), Post("x", "post1-c16", 16, 1000, 25) + "\n" + Post("x", "post1-c64", 64, 1000, 80) + "\n" +
                """{"label": "z", "run": "claim-c16", "concurrency": 16, "result": {"workload": "claim_delete", "msgs_consumed_per_s": 900.0, "req_per_s": 1000.0, "claim_lat_ms": {"p50": 18.0, "p99": 37.0}, "delete_lat_ms": {"p50": 12.0, "p99": 26.0}, "claims_empty": 0, "claims_err": 0, "deletes_err": 0, "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0}}}""" + "\n");
            await File.WriteAllTextAsync(F("kestrel.tsv"),
                "workload\tconns\treq_s\tmsgs_s\tp50_ms\tp99_ms\tserver_cpu_s\tserver_cpu_us_per_req\tmachine_busy_pct\tload1_before\terrors\n" +
                "POST 1x256B\t16\t60000\t60000\t0.27\t1.2\t1.9\t20.0\t99\t0.30\t0\n");
            await File.WriteAllTextAsync(F("rabbit.tsv"),
                "system\tlabel\tmode\tinflight\tpub_msgs_s\tconfirm_p50_ms\tconfirm_p99_ms\terrors\tserver_cpu_us_per_pub_msg\tload1_before\n" +
                "rabbitmq\tpub64\tpub\t64\t8500\t9.3\t20.0\t0\t193\t0.5\n" +
                "rabbitmq\tpubsub64\tpubsub\t64\t4600\t9.3\t20.0\t0\t193\t0.5\n");
            await File.WriteAllTextAsync(F("disk.txt"), "== header\nfio fdatasync-4k       bs=  4k write+sync ops/s=    1000\n");

            var results = new List<string>();
            foreach (var args in new[]
            {
                new[] { "wrk", "raftburrow-1node", F("ours.jsonl"), "--cpu-s", "0.04", "--load", "0.5" },
                ["wrk", "raftburrow-3node", F("three.jsonl")],
                ["wrk", "zaqar", F("zaqar.jsonl")],
                ["kestrel", F("kestrel.tsv")],
                ["peer", "rabbitmq", F("rabbit.tsv")],
                ["disk", F("disk.txt")],
            })
            {
                var (c, o, e) = await RunAsync("python3", [Path.Combine(Root, "scripts", "bench_report.py"), .. args]);
                Assert.True(c == 0, e);
                results.Add(o);
            }

            await File.WriteAllTextAsync(F("results.jsonl"), string.Concat(results));
            var (code, table, err) = await RunAsync("python3", Path.Combine(Root, "scripts", "bench_report.py"), "table", F("results.jsonl"));
            Assert.True(code == 0, err);
            Assert.Contains("### POST 1 message of 256 B per request", table, StringComparison.Ordinal);
            Assert.Contains("1 node ÷ Zaqar, 16 conn: **30.00×** (target ≥ 20×) — met", table, StringComparison.Ordinal);
            Assert.Contains("3 nodes ÷ RabbitMQ QQ, 64 conn / 64 in flight: **2.00×** (target ≥ 2×) — met", table, StringComparison.Ordinal);
            Assert.Contains("server CPU per 1-msg POST, 1 node ÷ bare Kestrel, 16 conn: **2.00×** (target ≤ 2×) — met", table, StringComparison.Ordinal); // 0.04 s / 1000 req = 40 µs
            Assert.Contains("raftburrow-1node p99 at 16 conn: 8.0 ms (target ≤ 10 ms) — met", table, StringComparison.Ordinal);
            Assert.Contains("| 900 consumed | 18.0 / 37.0 (del p99 26.0) |", table, StringComparison.Ordinal);
            Assert.Contains("fio fdatasync-4k", table, StringComparison.Ordinal);
            Assert.DoesNotContain("4,600", table, StringComparison.Ordinal); // publish+consume runs have no row

            var svg = F("out.svg");
            (code, _, err) = await RunAsync("python3", Path.Combine(Root, "scripts", "plot_bench.py"), "-o", svg, F("results.jsonl"));
            Assert.True(code == 0, err);
            XNamespace ns = "http://www.w3.org/2000/svg";
            var paths = XDocument.Load(svg).Descendants(ns + "path").Count();
            Assert.Equal(6, paths); // post1 of 1 node, 3 nodes, zaqar, kestrel, rabbitmq (one point is a path too); zaqar claim
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Plot_script_reads_a_shared_workload_document_of_the_cli()
    {
        var dir = Directory.CreateTempSubdirectory("plot-shared-");
        try
        {
            var input = Path.Combine(dir.FullName, "bench.json");
            await File.WriteAllTextAsync(input, """
                {
                  "tool": "raftburrow bench --shared-workload",
                  "label": "ours",
                  "runs": [
                    {"run": "post1-c16", "workload": "post1", "concurrency": 16, "msgs_per_s": 10000.0},
                    {"run": "post1-c64", "workload": "post1", "concurrency": 64, "msgs_per_s": 20000.0},
                    {"run": "claim-c16", "workload": "claim", "concurrency": 16, "msgs_per_s": 8000.0}
                  ]
                }
                """);
            var svg = Path.Combine(dir.FullName, "out.svg");
            var (code, _, err) = await RunAsync("python3", Path.Combine(Root, "scripts", "plot_bench.py"), "-o", svg, input);
            Assert.True(code == 0, err);
            XNamespace ns = "http://www.w3.org/2000/svg";
            var doc = XDocument.Load(svg);
            Assert.Equal(3, doc.Descendants(ns + "circle").Count());
            Assert.Contains(doc.Descendants(ns + "text"), t => t.Value == "ours post1");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("report")]
    public async Task Bench_all_rejects_bad_usage_before_starting_anything(string what)
    {
        var (code, _, _) = await RunAsync("bash", Path.Combine(Root, "scripts", "bench_all.sh"), what);
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Bench_script_refuses_a_url_that_does_not_answer()
    {
        var (code, _, err) = await RunAsync("bash", Path.Combine(Root, "scripts", "bench.sh"), Clients.ClosedPortUrl(), "nothing");
        if (err.Contains("run_bench.sh not found", StringComparison.Ordinal))
        {
            Assert.Equal(2, code); // no shared workload on this machine: the script says so
            return;
        }

        Assert.Equal(1, code);
        Assert.Contains("does not answer 2xx", err, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // only the process this test started
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RaftBurrow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
