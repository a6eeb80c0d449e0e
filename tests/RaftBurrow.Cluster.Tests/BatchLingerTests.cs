using Microsoft.Extensions.Time.Testing;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// <see cref="BatchLinger"/>, the wait of a batching pump for the callers it just answered: when it
/// waits and for how many, that it ends as soon as they are back or when its time runs out, and that
/// waits that run out are skipped for more and more batches until callers come back again.
/// </summary>
public sealed class BatchLingerTests
{
    private static readonly TimeSpan Max = TimeSpan.FromMilliseconds(1);

    // These tests drive Begin, OnEnqueued and End directly with the queue counts they state.
    private static BatchLinger Linger(TimeSpan max, TimeProvider time) => new(max, time, new Lock(), () => 0);

    [Fact]
    public void Nothing_to_wait_for_gives_no_wait()
    {
        var linger = Linger(Max, new FakeTimeProvider());
        Assert.Null(linger.Begin(pendingBefore: 0, pendingNow: 0, answered: 0, maxBatch: 512)); // nobody answered
        Assert.Null(linger.Begin(pendingBefore: 3, pendingNow: 8, answered: 5, maxBatch: 512)); // all back already
        Assert.Null(linger.Begin(pendingBefore: 0, pendingNow: 4, answered: 8, maxBatch: 4));   // a full batch waits
        Assert.Null(Linger(TimeSpan.Zero, new FakeTimeProvider()).Begin(0, 0, 8, 512)); // switched off
    }

    [Fact]
    public async Task The_wait_ends_when_the_answered_callers_are_back()
    {
        var linger = Linger(Max, new FakeTimeProvider());
        // 8 answered, 3 were already queued then, 1 of the 8 came back while they were being answered.
        var wait = Assert.IsType<TaskCompletionSource<bool>>(linger.Begin(pendingBefore: 3, pendingNow: 4, answered: 8, maxBatch: 512));
        var waiting = linger.WaitAsync(wait, CancellationToken.None);
        for (var pending = 5; pending < 11; pending++)
            Assert.Null(linger.OnEnqueued(pending));
        Assert.False(waiting.IsCompleted);
        var signal = Assert.IsType<TaskCompletionSource<bool>>(linger.OnEnqueued(11)); // 3 + 8
        Assert.Null(linger.OnEnqueued(12)); // signalled once
        signal.TrySetResult(true);
        Assert.True(await waiting);
        linger.End(true);
        Assert.NotNull(linger.Begin(0, 0, 1, 512)); // a wait that paid off keeps the next one
    }

    [Fact]
    public async Task A_wait_runs_out_after_max_and_the_next_waits_are_skipped_more_and_more()
    {
        var time = new FakeTimeProvider();
        var linger = Linger(Max, time);

        async Task RunOut()
        {
            var wait = Assert.IsType<TaskCompletionSource<bool>>(linger.Begin(0, 0, 4, 512));
            var waiting = linger.WaitAsync(wait, CancellationToken.None);
            time.Advance(TimeSpan.FromMicroseconds(999));
            Assert.False(waiting.IsCompleted);
            time.Advance(TimeSpan.FromMicroseconds(1));
            Assert.False(await waiting);
            linger.End(false);
        }

        int Skipped()
        {
            var skipped = 0;
            while (linger.Begin(0, 0, 4, 512) is null)
                skipped++;
            return skipped;
        }

        await RunOut();
        Assert.Equal(1, Skipped()); // then a Begin that waits again; say it ran out too:
        linger.End(false);
        Assert.Equal(2, Skipped());
        linger.End(false);
        Assert.Equal(4, Skipped());
        for (var i = 0; i < 10; i++)
        {
            linger.End(false);
            Skipped();
        }
        linger.End(false);
        Assert.Equal(BatchLinger.MaxSkip, Skipped()); // capped
        linger.End(true); // callers came back: no more skipping
        Assert.NotNull(linger.Begin(0, 0, 4, 512));
    }

    [Fact]
    public async Task Stopping_the_owner_ends_the_wait()
    {
        var linger = Linger(TimeSpan.FromHours(1), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var wait = Assert.IsType<TaskCompletionSource<bool>>(linger.Begin(0, 0, 2, 512));
        var waiting = linger.WaitAsync(wait, stop.Token);
        await stop.CancelAsync();
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
