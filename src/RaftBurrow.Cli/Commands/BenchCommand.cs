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
        var bench = new Command("bench", "Load the cluster with producers and consumers over the Zaqar API; report msgs/s, req/s and latency percentiles per operation, and verify every consumed message")
        {
            producers, consumers, size, batch, queues, duration, count, prefill, warmup, consume, limit, wait, claimTtl, claimGrace, ttl, prefix, keep, progress, drain,
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
