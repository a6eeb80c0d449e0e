using System.CommandLine;
using RaftBurrow.Cli.Bench;

namespace RaftBurrow.Cli.Commands;

/// <summary><c>bench</c>: producers and consumers against the Zaqar API, in the spirit of <c>nats bench</c>.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(ActionRunner runner)
    {
        var producers = new Option<int>("--producers") { Description = "Concurrent producers (one POST in flight each)", DefaultValueFactory = _ => 1 };
        var consumers = new Option<int>("--consumers") { Description = "Concurrent consumers", DefaultValueFactory = _ => 0 };
        var size = new Option<int>("--size") { Description = "Bytes of one JSON message object (as the shared workload counts)", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Messages per POST", DefaultValueFactory = _ => 1 };
        var queues = new Option<int>("--queues") { Description = "Queues (workers spread over them)", DefaultValueFactory = _ => 1 };
        var duration = new Option<string>("--duration") { Description = "Measured time (10s, 500ms, 2m)", DefaultValueFactory = _ => "10s" };
        var count = new Option<long>("--count") { Description = "Messages to produce instead of a duration (0 = use --duration)", DefaultValueFactory = _ => 0 };
        var prefill = new Option<long>("--prefill") { Description = "Messages to post before the warm-up so consumers start with a backlog", DefaultValueFactory = _ => 0 };
        var warmup = new Option<string>("--warmup") { Description = "Warm-up before measuring", DefaultValueFactory = _ => "1s" };
        var consume = new Option<ConsumeMode>("--consume") { Description = "claim (claim + delete) or pop", DefaultValueFactory = _ => ConsumeMode.Claim };
        var limit = new Option<int>("--limit") { Description = "Messages per claim or pop", DefaultValueFactory = _ => 10 };
        var wait = new Option<int>("--wait") { Description = "claim mode: long-poll seconds when the queue is empty (RaftBurrow extension; 0 = poll)", DefaultValueFactory = _ => 0 };
        var claimTtl = new Option<int>("--claim-ttl") { Description = "Claim ttl, seconds", DefaultValueFactory = _ => 60 };
        var claimGrace = new Option<int>("--claim-grace") { Description = "Claim grace, seconds", DefaultValueFactory = _ => 60 };
        var ttl = new Option<int>("--ttl") { Description = "Message ttl, seconds", DefaultValueFactory = _ => 300 };
        var prefix = new Option<string>("--queue-prefix") { Description = "Queue name prefix (names are PREFIX-RUNID-i)", DefaultValueFactory = _ => "bench" };
        var keep = new Option<bool>("--keep-queues") { Description = "Do not delete the run's queues afterwards" };
        var progress = new Option<string>("--progress") { Description = "Live progress interval on stderr (0 = off)", DefaultValueFactory = _ => "1s" };
        var drain = new Option<string>("--drain-timeout") { Description = "Count mode: stop consumers after the queue stayed empty this long", DefaultValueFactory = _ => "10s" };
        var shared = new Option<bool>("--shared-workload")
        {
            Description = "Run the shared workload's six runs one after the other (POST 1 and 10 x 256 B at 16 and 64 producers, then claim 10 + delete at 16 and 64 consumers on a prefilled queue; --duration and --warmup per run) and print one table",
        };
        var sharedConcurrency = new Option<string>("--concurrency") { Description = "--shared-workload: connections of each workload", DefaultValueFactory = _ => "16,64" };
        var sharedWorkloads = new Option<string>("--workloads") { Description = "--shared-workload: a subset of post1,post10,claim", DefaultValueFactory = _ => "post1,post10,claim" };
        var label = new Option<string>("--label") { Description = "--shared-workload: series name in the JSON document (plot_bench.py)", DefaultValueFactory = _ => "bench" };
        var bench = new Command("bench", "Load the cluster with producers and consumers over the Zaqar API; report msgs/s, req/s and latency percentiles per operation, and verify every consumed message")
        {
            producers, consumers, size, batch, queues, duration, count, prefill, warmup, consume, limit, wait, claimTtl, claimGrace, ttl, prefix, keep, progress, drain, shared, sharedConcurrency, sharedWorkloads, label,
        };
        runner.Set(bench, async ctx =>
        {
            var p = ctx.Parse;
            BenchOptions options;
            try
            {
                options = new BenchOptions
                {
                    Urls = ctx.Urls,
                    ProjectId = p.GetResult(ctx.Globals.Project) is { Implicit: false } ? ctx.ProjectId : "bench",
                    Producers = p.GetValue(producers),
                    Consumers = p.GetValue(consumers),
                    MessageBytes = p.GetValue(size),
                    MessagesPerPost = p.GetValue(batch),
                    Queues = p.GetValue(queues),
                    Duration = BenchOptions.ParseDuration(p.GetValue(duration)!),
                    Count = p.GetValue(count),
                    Prefill = p.GetValue(prefill),
                    Warmup = BenchOptions.ParseDuration(p.GetValue(warmup)!),
                    Consume = p.GetValue(consume),
                    ClaimLimit = p.GetValue(limit),
                    WaitSeconds = p.GetValue(wait),
                    ClaimTtlSeconds = p.GetValue(claimTtl),
                    ClaimGraceSeconds = p.GetValue(claimGrace),
                    MessageTtlSeconds = p.GetValue(ttl),
                    QueuePrefix = p.GetValue(prefix)!,
                    KeepQueues = p.GetValue(keep),
                    Retries = ctx.Retries,
                    RequestTimeout = TimeSpan.FromSeconds(ctx.TimeoutSeconds),
                    ProgressInterval = BenchOptions.ParseDuration(p.GetValue(progress)!),
                    DrainTimeout = BenchOptions.ParseDuration(p.GetValue(drain)!),
                };
                options.Validate();
            }
            catch (FormatException ex)
            {
                throw new ArgumentException(ex.Message, ex);
            }

            if (p.GetValue(shared))
            {
                // run_bench.sh's prefill for the claim runs unless --prefill was given.
                var prefillCount = p.GetResult(prefill) is { Implicit: false } ? options.Prefill : SharedWorkload.DefaultPrefill;
                var plan = SharedWorkload.Plan(options, SharedWorkload.ParseWorkloads(p.GetValue(sharedWorkloads)!),
                    SharedWorkload.ParseConcurrency(p.GetValue(sharedConcurrency)!), prefillCount);
                var results = new List<SharedWorkloadResult>();
                foreach (var run in plan)
                {
                    ctx.Error.WriteLine($"== {run.Run} ({results.Count + 1}/{plan.Count})");
                    var runSummary = await new BenchRunner(run.Options, ctx.Error).RunAsync(ctx.CancellationToken);
                    results.Add(SharedWorkloadReport.Result(run, runSummary));
                    if (!ctx.Json)
                    {
                        ctx.Output.Write($"== {run.Run}\n{runSummary.ToText()}\n");
                    }

                    if (ctx.CancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                }

                var report = new SharedWorkloadReport { Label = p.GetValue(label)!, Runs = results };
                if (ctx.Json)
                {
                    ctx.WriteJson(report);
                }
                else
                {
                    ctx.Output.Write(report.ToMarkdown());
                }

                return report.Ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
            }

            var summary = await new BenchRunner(options, ctx.Error).RunAsync(ctx.CancellationToken);
            if (ctx.Json)
            {
                ctx.WriteJson(summary);
            }
            else
            {
                ctx.Output.Write(summary.ToText());
            }

            return summary.Verification.Ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        });
        return bench;
    }
}
