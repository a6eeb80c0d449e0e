using System.Text;
using System.Text.Json;
using RaftBurrow.Cli;
using RaftBurrow.Cli.Bench;
using RaftBurrow.Client.Tests.Support;

namespace RaftBurrow.Client.Tests;

/// <summary>bench: payload, verification, histograms and summary, and short runs against the fake server.</summary>
public sealed class BenchTests
{
    [Theory]
    [InlineData(1, 256)]
    [InlineData(10, 256)]
    [InlineData(3, 1024)]
    [InlineData(2, 10)] // smaller than the skeleton: the skeleton it is
    public void Payload_is_valid_json_of_the_requested_size_and_stamps_sequences_in_place(int batch, int size)
    {
        var payload = new BenchPayload("run12345", 7, batch, size, 300);
        payload.Stamp(41);
        using var doc = JsonDocument.Parse(payload.Buffer);
        var messages = doc.RootElement.GetProperty("messages");
        Assert.Equal(batch, messages.GetArrayLength());
        for (var i = 0; i < batch; i++)
        {
            var m = messages[i];
            Assert.Equal(payload.MessageBytes, RawOf(payload, i).Length);
            Assert.Equal(300, m.GetProperty("ttl").GetInt32());
            var body = m.GetProperty("body");
            Assert.Equal("run12345", body.GetProperty("bench").GetString());
            Assert.Equal(7, body.GetProperty("p").GetInt32());
            Assert.Equal((41 + i).ToString("D12", System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("s").GetString());
        }

        if (size >= 100)
        {
            Assert.Equal(size, payload.MessageBytes);
        }

        var before = payload.Buffer.Length;
        payload.Stamp(999_999_999_999);
        Assert.Equal(before, payload.Buffer.Length);
    }

    // The exact text of message i in the template (between "[" / ", " separators).
    private static string RawOf(BenchPayload payload, int i)
    {
        var text = Encoding.ASCII.GetString(payload.Buffer);
        var inner = text["{\"messages\": [".Length..^2];
        return inner.Split("}}, ")[i].TrimEnd('}') + "}}";
    }

    [Fact]
    public void Verifier_counts_ok_duplicates_unknown_unacknowledged_and_left_over()
    {
        var v = new BenchVerifier("runA", 2);
        v.Sent(0, 3);
        v.Acknowledged(0, 0, 2); // sequence 2 was sent, its answer lost
        v.Sent(1, 1);
        v.Acknowledged(1, 0, 1);

        Assert.Equal(ConsumeOutcome.Ok, v.Consumed(Body("runA", 0, 0)));
        Assert.Equal(ConsumeOutcome.Duplicate, v.Consumed(Body("runA", 0, 0)));
        Assert.Equal(ConsumeOutcome.Ok, v.Consumed(Body("runA", 0, 2)));
        Assert.Equal(ConsumeOutcome.Unknown, v.Consumed(Body("runA", 0, 3))); // never sent
        Assert.Equal(ConsumeOutcome.Unknown, v.Consumed(Body("runB", 0, 1))); // another run
        Assert.Equal(ConsumeOutcome.Unknown, v.Consumed(Body("runA", 5, 0))); // no such producer
        Assert.Equal(ConsumeOutcome.Unknown, v.Consumed(JsonDocument.Parse("\"plain\"").RootElement));

        var r = v.Report();
        Assert.Equal(4, r.Sent);
        Assert.Equal(3, r.Acknowledged);
        Assert.Equal(2, r.ConsumedUnique);
        Assert.Equal(1, r.Duplicates);
        Assert.Equal(4, r.Unknown);
        Assert.Equal(1, r.ConsumedWithoutAck);
        Assert.Equal(2, r.AcknowledgedNotConsumed); // (0,1) and (1,0)
        Assert.False(r.Ok);
        Assert.Equal(4, r.UnknownSamples.Count);

        static JsonElement Body(string run, int p, long s) =>
            JsonDocument.Parse($"{{\"bench\": \"{run}\", \"p\": {p}, \"s\": \"{s:D12}\", \"x\": \"\"}}").RootElement;
    }

    [Fact]
    public void Sequence_set_grows_and_counts()
    {
        var a = new SequenceSet();
        var b = new SequenceSet();
        Assert.True(a.Add(0));
        Assert.True(a.Add(100_000));
        Assert.False(a.Add(100_000));
        Assert.True(b.Add(0));
        Assert.Equal(2, a.Count);
        Assert.Equal(1, a.CountExcept(b));
        Assert.Equal(0, b.CountExcept(a));
        Assert.True(a.Contains(100_000));
        Assert.False(a.Contains(99_999));
    }

    [Fact]
    public void Operation_summary_merges_workers_and_reports_percentiles_in_ms()
    {
        var w1 = new OperationRecorder("post");
        var w2 = new OperationRecorder("post");
        var other = new OperationRecorder("claim");
        for (var ms = 1; ms <= 1000; ms++)
        {
            (ms % 2 == 0 ? w1 : w2).RecordMicros(ms * 1000L);
        }

        w1.Failure("503");
        w2.Failure("503");
        w2.Failure("timeout");
        other.RecordMicros(5);
        var s = OperationSummary.From("post", [w1, w2, other], seconds: 2);
        Assert.Equal(3, s.Errors);
        Assert.Equal(2, s.ErrorKinds["503"]);
        Assert.InRange(s.LatencyMs.P50, 499, 501); // HdrHistogram, 3 significant digits
        Assert.InRange(s.LatencyMs.P90, 899, 901);
        Assert.InRange(s.LatencyMs.P99, 989, 991);
        Assert.InRange(s.LatencyMs.P999, 998, 1001);
        Assert.InRange(s.LatencyMs.Max, 999, 1001);
        Assert.Equal(1_000_000, OperationRecorder.TicksToMicros(System.Diagnostics.Stopwatch.Frequency));
    }

    [Fact]
    public void Summary_text_and_json_carry_rates_percentiles_and_the_verdict()
    {
        var rec = new OperationRecorder("post");
        rec.Success(0, System.Diagnostics.Stopwatch.Frequency / 1000, 10); // 1 ms, 10 messages
        var summary = new BenchSummary
        {
            RunId = "abcd1234",
            Urls = ["http://127.0.0.1:8888"],
            Producers = 1,
            MessageBytes = 256,
            MessagesPerPost = 10,
            Queues = 1,
            WarmupS = 1,
            DurationS = 2,
            ConsumeMode = "claim",
            ClaimLimit = 10,
            Operations = [OperationSummary.From("post", [rec], 2)],
            ProducedMsgsPerS = 5,
            Verification = new VerificationReport { Sent = 10, Acknowledged = 10, AcknowledgedNotConsumed = 10 },
            LeftInQueues = 10,
        };
        var text = summary.ToText();
        Assert.Contains("OP    REQUESTS  REQ/S  MSGS  MSGS/S  ERRORS  P50 ms  P90 ms  P99 ms  P99.9 ms  MAX ms", text, StringComparison.Ordinal);
        Assert.Contains("post         1      0    10       5       0    1.00    1.00    1.00      1.00    1.00", text, StringComparison.Ordinal);
        Assert.Contains("verification: OK - 10 acknowledged of 10 sent", text, StringComparison.Ordinal);
        Assert.Contains("10 left in queues", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(summary, CliContext.JsonOptions));
        var op = json.RootElement.GetProperty("operations")[0];
        Assert.Equal(5, op.GetProperty("messages_per_s").GetDouble());
        Assert.Equal(1.0, op.GetProperty("latency_ms").GetProperty("p99_9").GetDouble(), 2);
        Assert.True(json.RootElement.GetProperty("verification").GetProperty("ok").GetBoolean());
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("0", 0)]
    public void Durations_parse(string text, int ms) => Assert.Equal(TimeSpan.FromMilliseconds(ms), BenchOptions.ParseDuration(text));

    [Fact]
    public void Bad_bench_options_are_rejected()
    {
        Assert.Throws<FormatException>(() => BenchOptions.ParseDuration("soon"));
        Assert.Throws<ArgumentException>(() => new BenchOptions { Urls = ["http://x"], Producers = 0, Consumers = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new BenchOptions { Urls = ["http://x"], QueuePrefix = "no/slash" }.Validate());
        Assert.Throws<ArgumentException>(() => new BenchOptions { Urls = [] }.Validate());
    }

    [Theory]
    [InlineData(ConsumeMode.Claim)]
    [InlineData(ConsumeMode.Pop)]
    public async Task FakeServer_count_run_consumes_exactly_what_it_produced(ConsumeMode mode)
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var options = new BenchOptions
        {
            Urls = [server.Url.ToString()],
            Producers = 2,
            Consumers = 2,
            MessagesPerPost = 5,
            Queues = 2,
            Count = 200,
            Warmup = TimeSpan.Zero,
            Consume = mode,
            ClaimLimit = 7,
            ProgressInterval = TimeSpan.Zero,
            DrainTimeout = TimeSpan.FromSeconds(30),
        };
        var summary = await new BenchRunner(options, progress: null).RunAsync(CancellationToken.None);

        var v = summary.Verification;
        Assert.True(v.Ok, summary.ToText());
        Assert.Equal(200, v.Acknowledged);
        Assert.Equal(200, v.ConsumedUnique);
        Assert.Equal(0, v.AcknowledgedNotConsumed);
        Assert.Equal(0, summary.LeftInQueues);
        var post = summary.Operations.Single(o => o.Op == "post");
        Assert.Equal(40, post.Requests);
        Assert.Equal(200, post.Messages);
        Assert.Equal(200, summary.Operations.Single(o => o.Op == (mode == ConsumeMode.Pop ? "pop" : "claim")).Messages);
        if (mode == ConsumeMode.Claim)
        {
            Assert.Equal(200, summary.Operations.Single(o => o.Op == "delete").Requests);
        }

        using var client = Clients.For(server.Url.ToString());
        Assert.DoesNotContain((await client.Zaqar.ListQueuesAsync()).Queues, q => q.Name.StartsWith("bench-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FakeServer_prefilled_consumer_only_run_consumes_the_backlog_and_verifies_it()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var summary = await new BenchRunner(new BenchOptions
        {
            Urls = [server.Url.ToString()],
            Producers = 0,
            Consumers = 3,
            Queues = 2,
            Prefill = 250, // 25 POSTs of 10 by 16 writers: some write nothing, the total is exact
            Count = 250,
            Warmup = TimeSpan.Zero,
            ProgressInterval = TimeSpan.Zero,
            DrainTimeout = TimeSpan.FromSeconds(30),
        }, progress: null).RunAsync(CancellationToken.None);

        Assert.True(summary.Verification.Ok, summary.ToText());
        Assert.Equal(250, summary.Verification.Acknowledged);
        Assert.Equal(250, summary.Verification.ConsumedUnique);
        Assert.DoesNotContain(summary.Operations, o => o.Op == "post");
    }

    [Fact]
    public async Task FakeServer_bench_command_prints_json_and_detects_foreign_messages()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var (code, json, err) = await CliRun.RunAsync("bench", "--url", server.Url.ToString(), "--producers", "1", "--consumers", "1",
            "--count", "30", "--warmup", "0", "--progress", "0", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(30, doc.RootElement.GetProperty("verification").GetProperty("consumed_unique").GetInt64());
        Assert.Equal("", err);

        // A message this run did not produce, planted in its queue, is reported and fails the run.
        var options = new BenchOptions
        {
            Urls = [server.Url.ToString()], Producers = 0, Consumers = 1, Count = 2, Warmup = TimeSpan.Zero, ProgressInterval = TimeSpan.Zero,
            DrainTimeout = TimeSpan.FromSeconds(30), RunId = "feedbeef",
        };
        using var client = Clients.For(server.Url.ToString());
        await client.Zaqar.PostMessagesAsync(options.QueueName(0), [Zaqar.NewMessage.FromJson("""{"bench": "feedbeef", "p": 0, "s": "000000000000"}"""), Zaqar.NewMessage.FromJson("""{"hello": 1}""")]);
        var summary = await new BenchRunner(options, progress: null).RunAsync(CancellationToken.None);
        Assert.Equal(2, summary.Verification.Unknown); // no producer 0 in this run; and a foreign body
        Assert.False(summary.Verification.Ok);
        Assert.Contains("unknown body: {\"hello\":1}", summary.ToText(), StringComparison.Ordinal);
    }
}

/// <summary>bench --shared-workload: the run plan mirrors run_bench.sh, and one command runs it all.</summary>
public sealed class SharedWorkloadTests
{
    [Fact]
    public void Plan_is_run_bench_order_with_the_shared_settings()
    {
        var template = new BenchOptions { Urls = ["http://127.0.0.1:1"], Duration = TimeSpan.FromSeconds(30), Warmup = TimeSpan.FromSeconds(2) };
        var plan = SharedWorkload.Plan(template, SharedWorkload.Workloads, SharedWorkload.DefaultConcurrency, SharedWorkload.DefaultPrefill);

        Assert.Equal(["post1-c16", "post1-c64", "post10-c16", "post10-c64", "claim-c16", "claim-c64"], plan.Select(r => r.Run));
        foreach (var r in plan)
        {
            var o = r.Options;
            Assert.Equal(256, o.MessageBytes);
            Assert.Equal(TimeSpan.FromSeconds(30), o.Duration);
            Assert.Equal(TimeSpan.FromSeconds(2), o.Warmup);
            Assert.Equal(0, o.Count);
            if (r.Workload == "claim")
            {
                Assert.Equal((0, r.Concurrency, 10, ConsumeMode.Claim, 500_000L), (o.Producers, o.Consumers, o.ClaimLimit, o.Consume, o.Prefill));
            }
            else
            {
                Assert.Equal((r.Concurrency, 0, r.Workload == "post1" ? 1 : 10, 0L), (o.Producers, o.Consumers, o.MessagesPerPost, o.Prefill));
            }
        }

        Assert.Equal(plan.Count, plan.Select(r => r.Options.RunId).Distinct().Count()); // a fresh queue per run
        Assert.Equal(["post10-c64"], SharedWorkload.Plan(template, ["post10"], [64], 0).Select(r => r.Run));
    }

    [Fact]
    public void Bad_shared_workload_settings_are_rejected()
    {
        var template = new BenchOptions { Urls = ["http://127.0.0.1:1"] };
        Assert.Throws<ArgumentException>(() => SharedWorkload.Plan(template, ["post5"], [16], 0));
        Assert.Throws<ArgumentException>(() => SharedWorkload.Plan(template, [], [16], 0));
        Assert.Throws<ArgumentException>(() => SharedWorkload.Plan(template, ["post1"], [0], 0));
        Assert.Throws<ArgumentException>(() => SharedWorkload.ParseConcurrency("16,lots"));
        Assert.Equal([16, 64], SharedWorkload.ParseConcurrency(" 16, 64 "));
    }

    [Fact]
    public async Task FakeServer_one_command_runs_every_workload_and_prints_one_json_document()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var (code, json, _) = await CliRun.RunAsync("bench", "--url", server.Url.ToString(), "--shared-workload", "--concurrency", "2",
            "--duration", "300ms", "--warmup", "0", "--prefill", "40", "--progress", "0", "--label", "ours", "--json");

        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("raftburrow bench --shared-workload", root.GetProperty("tool").GetString());
        Assert.Equal("ours", root.GetProperty("label").GetString());
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["post1-c2", "post10-c2", "claim-c2"], runs.Select(r => r.GetProperty("run").GetString()));
        foreach (var r in runs)
        {
            var s = r.GetProperty("summary");
            Assert.True(s.GetProperty("verification").GetProperty("ok").GetBoolean());
            Assert.Equal(2, r.GetProperty("concurrency").GetInt32());
        }

        // The POST runs acknowledged messages of their batch size; the claim run consumed from its prefill.
        Assert.Equal(10, runs[1].GetProperty("summary").GetProperty("messages_per_post").GetInt32());
        Assert.True(runs[2].GetProperty("summary").GetProperty("verification").GetProperty("consumed_unique").GetInt64() > 0);
        using var client = Clients.For(server.Url.ToString());
        Assert.DoesNotContain((await client.Zaqar.ListQueuesAsync()).Queues, q => q.Name.StartsWith("bench-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FakeServer_text_output_ends_with_the_markdown_table()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        var (code, text, _) = await CliRun.RunAsync("bench", "--url", server.Url.ToString(), "--shared-workload", "--workloads", "post1",
            "--concurrency", "1,2", "--duration", "200ms", "--warmup", "0", "--progress", "0");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("| run | conc | req/s | msgs/s | p50 ms | p99 ms | errors | verification |", text, StringComparison.Ordinal);
        Assert.Contains("| post1-c1 | 1 |", text, StringComparison.Ordinal);
        Assert.Contains("| post1-c2 | 2 |", text, StringComparison.Ordinal);
    }
}
