using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.Cli;
using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Runner;
using RaftBurrow.Jepsen.Workloads;

namespace RaftBurrow.Jepsen.Tests;

/// <summary>
/// Workloads driven against an in-memory queue, then every checker: a correct queue passes, and each
/// deliberately broken queue is caught by the checker that owns that guarantee.
/// </summary>
public class WorkloadEndToEndTests
{
    private static async Task<List<CheckResult>> RunAsync(string workload, Bug bug, int steps = 300, int seed = 5, string? consumer = null, List<Operation>? recordInto = null)
    {
        var api = new InMemoryQueueApi(bug);
        var ops = recordInto ?? [];
        var options = new WorkloadOptions { Queues = 2, Consumer = consumer };
        var recorder = new OpRecorder(api, new RunClock(), op => { lock (ops) { ops.Add(op); } }, options);
        var w = Workloads.Workloads.Create(workload, options);
        var nodes = new[] { 1, 2, 3 };
        var workers = Enumerable.Range(0, 4).Select(i => new Worker(i, 4, nodes, new Random(seed + i))).ToList();
        await w.SetupAsync(recorder, workers[0], CancellationToken.None);
        for (var i = 0; i < steps; i++)
        {
            // The first third only even workers (fifo producers) run, so a backlog builds up.
            var worker = i < steps / 3 ? workers[(i % 2) * 2] : workers[i % workers.Count];
            await w.StepAsync(recorder, worker, CancellationToken.None);
        }

        var drain = new Worker(4, 4, nodes, new Random(seed));
        foreach (var q in w.Queues)
        {
            while ((await recorder.PopAsync(drain, q, 20, CancellationToken.None, "drain")).Messages is { Count: > 0 })
            {
            }

            await recorder.ReadAsync(drain, q, CancellationToken.None, "drain");
        }

        var history = HistoryFile.Parse(HistoryFile.ToJsonl(new RunHistory(ops, [])));
        return CheckSuite.Run(history, new TestOptions { Workload = workload }, null, 3);
    }

    private static CheckResult Get(List<CheckResult> rs, string name) => rs.Single(r => r.Name == name);

    [Theory]
    [InlineData("queue")]
    [InlineData("fifo")]
    [InlineData("lease")]
    [InlineData("idempotent")]
    public async Task A_correct_queue_passes_every_checker(string workload)
    {
        var results = await RunAsync(workload, Bug.None);
        Assert.All(results, r => Assert.True(r.Validity is Validity.Valid or Validity.Skipped, $"{r.Name}: {r.Validity} {string.Join("; ", r.Anomalies)}"));
        Assert.Equal(Validity.Valid, Get(results, "total-queue").Validity);
    }

    [Theory]
    [InlineData("queue")]
    [InlineData("fifo")]
    public async Task Claim_consumers_never_pop_and_pass_total_queue(string workload)
    {
        var ops = new List<Operation>();
        var results = await RunAsync(workload, Bug.None, consumer: "claim", recordInto: ops);
        Assert.DoesNotContain(ops, o => o.F == Ops.Pop && o.Phase == "main");
        Assert.Contains(ops, o => o.F == Ops.Claim);
        Assert.Contains(ops, o => o.F == Ops.Delete);
        Assert.Equal(Validity.Valid, Get(results, "total-queue").Validity);
        Assert.Equal(Validity.Valid, Get(results, "fifo").Validity);
        Assert.Equal(Validity.Skipped, Get(results, "linearizable").Validity);
    }

    [Fact]
    public async Task Lost_acknowledged_messages_are_caught_with_claim_consumers()
    {
        var results = await RunAsync("queue", Bug.LoseEveryFifthAck, consumer: "claim");
        Assert.Equal(Validity.Invalid, Get(results, "total-queue").Validity);
    }

    [Fact]
    public async Task The_fifo_workload_is_checked_for_linearizability()
    {
        var results = await RunAsync("fifo", Bug.None);
        Assert.Equal(Validity.Valid, Get(results, "linearizable").Validity);
        Assert.Equal(Validity.Valid, Get(results, "fifo").Validity);
    }

    [Fact]
    public async Task Lost_acknowledged_messages_are_caught()
    {
        var results = await RunAsync("queue", Bug.LoseEveryFifthAck);
        Assert.Equal(Validity.Invalid, Get(results, "total-queue").Validity);
        Assert.Equal(Validity.Invalid, CheckResult.Combine(results));
    }

    [Fact]
    public async Task Reordering_is_caught_by_fifo_and_linearizability()
    {
        var results = await RunAsync("fifo", Bug.PushSomeToFront);
        Assert.Equal(Validity.Invalid, Get(results, "fifo").Validity);
        Assert.Equal(Validity.Invalid, Get(results, "linearizable").Validity);
    }

    [Fact]
    public async Task Double_claims_are_caught_by_lease()
    {
        var results = await RunAsync("lease", Bug.IgnoreClaims);
        Assert.Equal(Validity.Invalid, Get(results, "lease").Validity);
    }

    [Fact]
    public async Task Ignored_idempotency_keys_are_caught()
    {
        var results = await RunAsync("idempotent", Bug.IgnoreIdempotencyKey);
        Assert.Equal(Validity.Invalid, Get(results, "idempotency").Validity);
    }
}
