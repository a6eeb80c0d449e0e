using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.Cli;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Report;

namespace RaftBurrow.Jepsen.Tests;

public class HistoryAndReportTests
{
    private static RunHistory Sample()
    {
        var h = new HistoryBuilder();
        h.Enq("1", 0, 10);
        h.Enq("2<script>", 5, 5000, OpResult.Info);
        h.Claim(20, 30, 60, "c1", "1");
        h.Delete(31, 40, "m1", "c1");
        h.Fault("kill", "start", 12).Fault("kill", "stop", 2500).Fault("partition", "start", 3000);
        return h.Build();
    }

    [Fact]
    public void Jsonl_round_trips_operations_and_faults()
    {
        var original = Sample();
        var text = HistoryFile.ToJsonl(original);
        Assert.Equal(original.Operations.Count + original.Faults.Count, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"result\":\"Info\"", text);
        var parsed = HistoryFile.Parse(text);
        Assert.Equal(original.Operations.Select(o => (o.Id, o.F, o.Value, o.Result, o.InvokeMs, o.CompleteMs)),
            parsed.Operations.Select(o => (o.Id, o.F, o.Value, o.Result, o.InvokeMs, o.CompleteMs)));
        Assert.Equal("c1", parsed.Operations.Single(o => o.F == Ops.Claim).Messages![0].ClaimId);
        Assert.Equal(["kill", "kill", "partition"], parsed.Faults.Select(f => f.Nemesis));
    }

    [Fact]
    public void A_malformed_line_names_its_number()
    {
        var e = Assert.Throws<FormatException>(() => HistoryFile.Parse("{\"kind\":\"op\",\"id\":1}\n\n{oops\n"));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void History_files_are_written_line_by_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rbj-{Guid.NewGuid():N}.jsonl");
        try
        {
            using (var f = new HistoryFile(path))
            {
                foreach (var op in Sample().Operations)
                {
                    f.Append(op);
                }

                f.Append(new FaultEvent { Nemesis = "pause", Action = "start", TimeMs = 1 });
            }

            var h = HistoryFile.Load(path);
            Assert.Equal(4, h.Operations.Count);
            Assert.Single(h.Faults);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Fault_bands_pair_starts_with_stops_and_leave_open_ones_to_the_end()
    {
        var bands = Sample().FaultBands(9000);
        Assert.Equal([("kill", 12.0, 2500.0), ("partition", 3000.0, 9000.0)], bands.Select(b => (b.Nemesis, b.StartMs, b.EndMs)));
    }

    [Fact]
    public void The_report_is_self_contained_html_with_three_charts_and_fault_bands()
    {
        var history = Sample();
        var results = CheckSuite.Run(history, new TestOptions(), null, 3);
        var run = RunResults.From("r1", new TestOptions { Seed = 5 }, history, results, ["note <b>"], harnessFailed: false);
        var html = HtmlReport.Render(run, history);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Equal(3, html.Split("<svg ").Length - 1);
        Assert.Contains("kill", html);
        Assert.Contains("opacity=\"0.15\"", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("note <b>", html);
        var withoutNamespace = html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal);
        Assert.DoesNotContain("http://", withoutNamespace);
        Assert.DoesNotContain("https://", withoutNamespace);
        Assert.Contains("total-queue", html);
    }

    [Fact]
    public void Results_json_has_verdict_exit_code_and_checkers()
    {
        var history = Sample();
        var results = CheckSuite.Run(history, new TestOptions(), null, 3);
        var run = RunResults.From("r1", new TestOptions(), history, results, [], harnessFailed: false);
        Assert.Equal(Validity.Valid, run.Valid);
        Assert.Equal(0, run.ExitCode);
        var json = run.ToJson();
        Assert.Contains("\"valid\": \"Valid\"", json);
        Assert.Contains("\"name\": \"total-queue\"", json);
        Assert.Equal(2, RunResults.From("r", new TestOptions(), history, results, [], harnessFailed: true).ExitCode);
    }

    [Fact]
    public void Verdicts_combine_invalid_over_unknown_over_valid()
    {
        CheckResult R(Validity v) => new() { Name = "x", Validity = v };
        Assert.Equal(Validity.Valid, CheckResult.Combine([R(Validity.Valid), R(Validity.Skipped)]));
        Assert.Equal(Validity.Unknown, CheckResult.Combine([R(Validity.Valid), R(Validity.Unknown)]));
        Assert.Equal(Validity.Invalid, CheckResult.Combine([R(Validity.Unknown), R(Validity.Invalid)]));
        Assert.Equal([0, 1, 2], new[] { Validity.Valid, Validity.Invalid, Validity.Unknown }.Select(CheckResult.ExitCode));
    }
}
