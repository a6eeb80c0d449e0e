using System.Diagnostics;
using System.Globalization;
using RaftBurrow.Cli.Output;
using RaftBurrow.Client;

namespace RaftBurrow.Cli.Bench;

/// <summary>
/// Runs one benchmark: creates the run's queues, starts producers and consumers (one request in flight
/// each), warms up, measures, prints live progress, verifies every consumed message, removes the queues.
/// </summary>
public sealed class BenchRunner
{
    private const int Warmup = 0, Measuring = 1, Stopping = 2;

    private readonly BenchOptions options;
    private readonly TextWriter? progress;
    private readonly BenchVerifier verifier;
    private readonly List<OperationRecorder> recorders = [];

    // Phase: Warmup → Measuring → Stopping. Only requests that complete while Measuring are recorded.
    private int phase;
    private long measureStart;
    private long measureEnd;

    // Count mode: messages still to produce / consume (may go negative by up to one batch).
    private long toProduce;
    private long toConsume;
    private int producersRunning;

    // Live progress (every phase).
    private long liveProduced;
    private long liveConsumed;
    private long liveErrors;

    /// <summary>Creates a runner; <paramref name="progress"/> gets live progress lines (null = none).</summary>
    public BenchRunner(BenchOptions options, TextWriter? progress)
    {
        options.Validate();
        this.options = options;
        this.progress = progress;
        verifier = new BenchVerifier(options.RunId, options.SenderCount);
    }

    private bool CountMode => options.Count > 0;

    /// <summary>Runs to completion (or until <paramref name="cancellationToken"/>, which still yields a summary).</summary>
    public async Task<BenchSummary> RunAsync(CancellationToken cancellationToken)
    {
        var clients = CreateClients();
        try
        {
            var queues = Enumerable.Range(0, options.Queues).Select(options.QueueName).ToList();
            foreach (var q in queues)
            {
                await clients[0].Zaqar.CreateQueueAsync(q, cancellationToken: cancellationToken);
            }

            if (options.Prefill > 0)
            {
                await PrefillAsync(clients, cancellationToken);
            }

            toProduce = options.Count;
            toConsume = options.Producers == 0 ? options.Count : long.MaxValue;
            producersRunning = options.Producers;
            var started = DateTimeOffset.UtcNow;
            var runStart = Stopwatch.GetTimestamp();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            if (options.Warmup <= TimeSpan.Zero)
            {
                // No warm-up: measure from the first request, so count mode produces exactly Count.
                measureStart = Stopwatch.GetTimestamp();
                Volatile.Write(ref phase, Measuring);
            }

            var workers = new List<Task>();
            foreach (var p in Enumerable.Range(0, options.Producers))
            {
                workers.Add(Task.Run(() => ProduceAsync(p, clients[p % clients.Count], stop.Token), CancellationToken.None));
            }

            foreach (var c in Enumerable.Range(0, options.Consumers))
            {
                var client = clients[(options.Producers + c) % clients.Count];
                workers.Add(Task.Run(() => ConsumeAsync(c, client, stop.Token), CancellationToken.None));
            }

            var all = Task.WhenAll(workers);
            var ticker = ProgressAsync(runStart, all);

            // Warm-up, then measure for the duration (or until count mode's workers finish).
            if (options.Warmup > TimeSpan.Zero)
            {
                await WaitOrFinished(all, options.Warmup, cancellationToken);
                measureStart = Stopwatch.GetTimestamp();
                Volatile.Write(ref phase, Measuring);
            }

            if (CountMode)
            {
                await Task.WhenAny(all, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await WaitOrFinished(all, options.Duration, cancellationToken);
            }

            measureEnd = Stopwatch.GetTimestamp();
            Volatile.Write(ref phase, Stopping);
            try
            {
                // Workers finish the request in flight (and a consumer its claimed batch) and leave.
                await all.WaitAsync(options.RequestTimeout * (options.Retries + 2), CancellationToken.None);
            }
            catch (TimeoutException)
            {
                await stop.CancelAsync();
            }

            await ticker;
            var seconds = Stopwatch.GetElapsedTime(measureStart, measureEnd).TotalSeconds;
            long? left = await CountLeftAsync(clients[0], queues);
            if (!options.KeepQueues)
            {
                foreach (var q in queues)
                {
                    try
                    {
                        await clients[0].Zaqar.DeleteQueueAsync(q, CancellationToken.None);
                    }
                    catch (RaftBurrowApiException)
                    {
                        // best effort: the summary matters more than the cleanup
                    }
                }
            }

            return Summarize(started, seconds, left);
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    private BenchSummary Summarize(DateTimeOffset started, double seconds, long? left)
    {
        string[] ops = options.Consume == ConsumeMode.Pop ? ["post", "pop"] : ["post", "claim", "delete"];
        List<OperationRecorder> snapshot;
        lock (recorders)
        {
            snapshot = [.. recorders];
        }

        var summaries = ops.Select(op => OperationSummary.From(op, snapshot, seconds)).Where(s => s.Requests + s.Errors > 0).ToList();
        var post = summaries.FirstOrDefault(s => s.Op == "post");
        var consumed = summaries.FirstOrDefault(s => s.Op == (options.Consume == ConsumeMode.Pop ? "pop" : "claim"));
        return new BenchSummary
        {
            RunId = options.RunId,
            StartedAt = started.ToString("o", CultureInfo.InvariantCulture),
            Urls = options.Urls,
            Producers = options.Producers,
            Consumers = options.Consumers,
            ConsumeMode = options.Consume == ConsumeMode.Pop ? "pop" : "claim",
            ClaimLimit = options.ClaimLimit,
            MessageBytes = new BenchPayload(options.RunId, 0, 1, options.MessageBytes, options.MessageTtlSeconds).MessageBytes,
            MessagesPerPost = options.MessagesPerPost,
            RequestBodyBytes = new BenchPayload(options.RunId, 0, options.MessagesPerPost, options.MessageBytes, options.MessageTtlSeconds).Buffer.Length,
            Queues = options.Queues,
            WarmupS = options.Warmup.TotalSeconds,
            DurationS = seconds,
            Operations = summaries,
            ProducedMsgsPerS = post?.MessagesPerS ?? 0,
            ConsumedMsgsPerS = consumed?.MessagesPerS ?? 0,
            Verification = verifier.Report(),
            LeftInQueues = left,
        };
    }

    private List<RaftBurrowClient> CreateClients()
    {
        // One client per URL, each preferring "its" node and failing over to the others; a pool of at most
        // (workers) connections per node, so connections = concurrency.
        var workers = options.Producers + options.Consumers;
        var urls = options.Urls;
        return urls.Select((_, i) =>
        {
            var o = new RaftBurrowClientOptions
            {
                ProjectId = options.ProjectId,
                NodeSelection = NodeSelection.PreferFirst,
                MaxRetries = options.Retries,
                RequestTimeout = options.RequestTimeout,
                MaxConnectionsPerServer = Math.Max(1, workers),
            }.AddUrls(urls.Skip(i).Concat(urls.Take(i)));
            return new RaftBurrowClient(o);
        }).ToList();
    }

    // Fills the queues before the clock starts: writers Producers..Producers+15 post 10 messages per
    // request until the target is acknowledged. Not measured; every message is verified when consumed.
    private async Task PrefillAsync(List<RaftBurrowClient> clients, CancellationToken ct)
    {
        long remaining = options.Prefill;
        var started = Stopwatch.GetTimestamp();
        var writers = Enumerable.Range(0, BenchOptions.PrefillConcurrency).Select(k => Task.Run(async () =>
        {
            var sender = options.Producers + k;
            var payload = new BenchPayload(options.RunId, sender, 10, options.MessageBytes, options.MessageTtlSeconds);
            var queue = options.QueueName(k);
            var client = clients[k % clients.Count];
            long sequence = 0;
            while (Interlocked.Add(ref remaining, -10) + 10 > 0)
            {
                payload.Stamp(sequence);
                verifier.Sent(sender, sequence + 10);
                try
                {
                    await client.Zaqar.PostMessagesRawAsync(queue, payload.Buffer, null, ct);
                    verifier.Acknowledged(sender, sequence, 10);
                }
                catch (RaftBurrowApiException)
                {
                    Interlocked.Add(ref remaining, 10); // try again: the prefill target counts acknowledged messages
                    await Task.Delay(10, ct);
                }

                sequence += 10;
            }
        }, ct)).ToList();
        await Task.WhenAll(writers);
        if (progress is not null && options.ProgressInterval > TimeSpan.Zero)
        {
            await progress.WriteLineAsync($"prefilled {Formats.Count(options.Prefill)} messages in {Formats.Seconds(Stopwatch.GetElapsedTime(started).TotalSeconds)} s");
        }
    }

    private OperationRecorder Recorder(string op)
    {
        var r = new OperationRecorder(op);
        lock (recorders)
        {
            recorders.Add(r);
        }

        return r;
    }

    private bool Stopped => Volatile.Read(ref phase) == Stopping;

    private bool IsMeasuring => Volatile.Read(ref phase) == Measuring;

    private async Task ProduceAsync(int producer, RaftBurrowClient client, CancellationToken ct)
    {
        var payload = new BenchPayload(options.RunId, producer, options.MessagesPerPost, options.MessageBytes, options.MessageTtlSeconds);
        var post = Recorder("post");
        var queue = options.QueueName(producer);
        var batch = options.MessagesPerPost;
        long sequence = 0;
        try
        {
            while (!Stopped && !ct.IsCancellationRequested)
            {
                // Count mode counts messages posted while measuring; warm-up traffic comes on top.
                if (CountMode && IsMeasuring && Interlocked.Add(ref toProduce, -batch) + batch <= 0)
                {
                    break;
                }

                payload.Stamp(sequence);
                verifier.Sent(producer, sequence + batch);
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await client.Zaqar.PostMessagesRawAsync(queue, payload.Buffer, null, ct);
                    var t1 = Stopwatch.GetTimestamp();
                    verifier.Acknowledged(producer, sequence, batch);
                    Interlocked.Add(ref liveProduced, batch);
                    if (IsMeasuring)
                    {
                        post.Success(t0, t1, batch);
                    }
                }
                catch (RaftBurrowApiException ex)
                {
                    Failed(post, ex);
                    await Task.Delay(10, ct); // a node that fails fast must not turn the loop into a spin
                }

                sequence += batch;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref producersRunning);
        }
    }

    private async Task ConsumeAsync(int consumer, RaftBurrowClient client, CancellationToken ct)
    {
        var queue = options.QueueName(consumer);
        var take = Recorder(options.Consume == ConsumeMode.Pop ? "pop" : "claim");
        var delete = options.Consume == ConsumeMode.Claim ? Recorder("delete") : null;
        var idleSince = 0L;
        var emptyDelayMs = 1;
        try
        {
            while (!Stopped && !ct.IsCancellationRequested)
            {
                if (CountMode && Interlocked.Read(ref toConsume) <= 0)
                {
                    break;
                }

                var t0 = Stopwatch.GetTimestamp();
                IReadOnlyList<RaftBurrow.Client.Zaqar.Message> messages;
                string? claimId = null;
                try
                {
                    if (options.Consume == ConsumeMode.Pop)
                    {
                        messages = await client.Zaqar.PopMessagesAsync(queue, options.ClaimLimit, ct);
                    }
                    else
                    {
                        var claim = await client.Zaqar.ClaimMessagesAsync(queue, options.ClaimTtlSeconds, options.ClaimGraceSeconds, options.ClaimLimit,
                            options.WaitSeconds, ct);
                        messages = claim?.Messages ?? [];
                        claimId = claim?.Id;
                    }
                }
                catch (RaftBurrowApiException ex)
                {
                    Failed(take, ex);
                    await Task.Delay(10, ct);
                    continue;
                }

                var t1 = Stopwatch.GetTimestamp();
                if (IsMeasuring)
                {
                    take.Success(t0, t1, messages.Count);
                }

                if (messages.Count == 0)
                {
                    // Count mode ends when producers are done and the queue stays empty for the drain timeout.
                    if (CountMode && Volatile.Read(ref producersRunning) == 0)
                    {
                        idleSince = idleSince == 0 ? t1 : idleSince;
                        if (Stopwatch.GetElapsedTime(idleSince) > options.DrainTimeout || options.Producers > 0 && Drained())
                        {
                            break;
                        }
                    }

                    await Task.Delay(emptyDelayMs, ct);
                    emptyDelayMs = Math.Min(emptyDelayMs * 2, 50);
                    continue;
                }

                idleSince = 0;
                emptyDelayMs = 1;
                foreach (var m in messages)
                {
                    verifier.Consumed(m.Body);
                }

                Interlocked.Add(ref liveConsumed, messages.Count);
                Interlocked.Add(ref toConsume, -messages.Count);
                if (delete is null || claimId is null)
                {
                    continue;
                }

                foreach (var m in messages)
                {
                    var d0 = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.Zaqar.DeleteMessageAsync(queue, m.MessageId, claimId, ct);
                        if (IsMeasuring)
                        {
                            delete.Success(d0, Stopwatch.GetTimestamp(), 1);
                        }
                    }
                    catch (RaftBurrowApiException ex)
                    {
                        Failed(delete, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // Producers finished: everything acknowledged has been consumed at least once.
    private bool Drained()
    {
        var report = verifier.Report();
        return report.AcknowledgedNotConsumed == 0;
    }

    private void Failed(OperationRecorder recorder, RaftBurrowApiException ex)
    {
        Interlocked.Increment(ref liveErrors);
        if (IsMeasuring)
        {
            recorder.Failure(ErrorKind(ex));
        }
    }

    /// <summary>"503", "timeout", "unreachable", …</summary>
    public static string ErrorKind(RaftBurrowApiException ex) =>
        ex.StatusCode is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : ex.Title == "timeout" ? "timeout" : "unreachable";

    private static async Task WaitOrFinished(Task all, TimeSpan time, CancellationToken ct)
    {
        if (time <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.WhenAny(all, Task.Delay(time, ct));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProgressAsync(long runStart, Task all)
    {
        if (progress is null || options.ProgressInterval <= TimeSpan.Zero)
        {
            await all.ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        long lastProduced = 0, lastConsumed = 0;
        var last = Stopwatch.GetTimestamp();
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(options.ProgressInterval));
            if (all.IsCompleted)
            {
                break; // the summary follows; a last partial interval would only print a misleading rate
            }

            var now = Stopwatch.GetTimestamp();
            var dt = Stopwatch.GetElapsedTime(last, now).TotalSeconds;
            last = now;
            var produced = Interlocked.Read(ref liveProduced);
            var consumed = Interlocked.Read(ref liveConsumed);
            var label = Volatile.Read(ref phase) switch { Warmup => "warm-up", Measuring => "measure", _ => "stopping" };
            var line = $"[{Formats.Seconds(Stopwatch.GetElapsedTime(runStart, now).TotalSeconds),6}s] {label,-8} "
                + $"posted {Formats.Rate((produced - lastProduced) / Math.Max(dt, 1e-9)),9} msg/s  "
                + $"consumed {Formats.Rate((consumed - lastConsumed) / Math.Max(dt, 1e-9)),9} msg/s  "
                + $"total posted {Formats.Count(produced)} consumed {Formats.Count(consumed)} errors {Formats.Count(Interlocked.Read(ref liveErrors))}";
            lastProduced = produced;
            lastConsumed = consumed;
            await progress.WriteLineAsync(line);
        }
    }

    private static async Task<long?> CountLeftAsync(RaftBurrowClient client, IEnumerable<string> queues)
    {
        try
        {
            long total = 0;
            foreach (var q in queues)
            {
                total += (await client.Zaqar.GetQueueStatsAsync(q, CancellationToken.None)).Messages.Total;
            }

            return total;
        }
        catch (RaftBurrowApiException)
        {
            return null;
        }
    }
}
