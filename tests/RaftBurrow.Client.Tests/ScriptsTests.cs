using System.Diagnostics;
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
