using RaftBurrow.Consensus;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// <see cref="ForwardBatcher"/> and <see cref="ForwardBatchCodec"/> below the HTTP edge: commands that
/// arrive while a batch is in flight go together, each gets its own result, a receiver without the
/// batched endpoint gets single commands, and the wire format round-trips and rejects garbage.
/// </summary>
public sealed class ForwardBatcherTests
{
    private static readonly ClusterMember Leader = new() { Id = 2, HttpUrl = "http://127.0.0.2:1" };

    private static CommandResult Result(int i) => new CodeResult(ResultCode.Ok, i);

    [Fact]
    public async Task Commands_queued_behind_full_slots_share_a_batch_and_get_their_own_results()
    {
        var gates = new List<TaskCompletionSource>();
        var batches = new List<IReadOnlyList<ForwardBatchCodec.Item>>();
        var sync = new Lock();
        ForwardBatcher.BatchSender send = async (_, _, items, _) =>
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (sync)
            {
                gates.Add(gate);
                batches.Add(items.ToList());
            }
            await gate.Task;
            // The first command byte names the command; odd ones stand for "not the leader" (null: re-route).
            return items.Select(i => i.Command.Span[0] % 2 == 0 ? Result(i.Command.Span[0]) : null).ToList();
        };
        var batcher = new ForwardBatcher(3, send, (_, _, _, _, _, _) => throw new InvalidOperationException("v1 not expected"), TimeProvider.System);

        // The first MaxInFlight commands each find a free slot and go alone, at once.
        var early = Enumerable.Range(0, ForwardBatcher.MaxInFlight)
            .Select(i => batcher.ForwardAsync(Leader, [(byte)(100 + 2 * i), 0], Guid.NewGuid(), 5000, CancellationToken.None)).ToList();
        // The rest wait for a slot and then go together.
        var late = Enumerable.Range(0, 10)
            .Select(i => batcher.ForwardAsync(Leader, [(byte)i, 0], Guid.NewGuid(), 5000, CancellationToken.None)).ToList();
        lock (sync)
            Assert.True(batches.Count == ForwardBatcher.MaxInFlight, $"{batches.Count} requests sent at once");
        lock (sync)
            gates[0].SetResult();
        await early[0];
        await WaitUntilAsync(() => { lock (sync) return batches.Count == ForwardBatcher.MaxInFlight + 1; });
        lock (sync)
        {
            Assert.Equal(10, batches[^1].Count);
            foreach (var g in gates)
                g.TrySetResult();
        }
        await Task.WhenAll(early.Concat(late));
        for (var i = 0; i < late.Count; i++)
        {
            var result = await late[i];
            if (i % 2 == 1)
                Assert.Null(result);
            else
                Assert.Equal(i, Assert.IsType<CodeResult>(result).NowMs);
        }
        for (var i = 0; i < early.Count; i++)
            Assert.Equal(100 + 2 * i, Assert.IsType<CodeResult>(await early[i]).NowMs);
    }

    [Fact]
    public async Task With_a_linger_the_answered_callers_next_commands_go_with_those_that_waited()
    {
        var batches = new List<int[]>();
        var sync = new Lock();
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ForwardBatcher.BatchSender send = async (_, _, items, _) =>
        {
            bool first;
            lock (sync)
            {
                first = batches.Count == 0;
                batches.Add(items.Select(i => (int)i.Command.Span[0]).ToArray());
            }
            if (first)
                await firstGate.Task;
            return items.Select(i => (CommandResult?)Result(i.Command.Span[0])).ToList();
        };
        // Long enough that only the last wait (nobody comes back after the third command) runs out.
        var batcher = new ForwardBatcher(1, send, (_, _, _, _, _, _) => throw new InvalidOperationException("v1 not expected"),
            TimeProvider.System, linger: TimeSpan.FromSeconds(3));

        // Four clients, each sending three commands one after the other (command = client * 10 + k).
        async Task Client(int c)
        {
            for (var k = 0; k < 3; k++)
                Assert.Equal(c * 10 + k, Assert.IsType<CodeResult>(await batcher.ForwardAsync(Leader, [(byte)(c * 10 + k)], Guid.NewGuid(), 30_000, CancellationToken.None)).NowMs);
        }
        var clients = new List<Task> { Client(0) }; // its first command goes at once, alone
        clients.AddRange(Enumerable.Range(1, 3).Select(Client)); // these wait behind it
        firstGate.SetResult();
        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));

        lock (sync)
        {
            // Without the wait, client 0's second command would go alone as soon as the first batch was
            // answered, and the clients would stay split into two alternating batches.
            Assert.Equal([1, 4, 4, 3], batches.Select(b => b.Length));
            Assert.Equal([0], batches[0]);
            Assert.Equal([1, 10, 20, 30], batches[1].Order());
            Assert.Equal([2, 11, 21, 31], batches[2].Order());
            Assert.Equal([12, 22, 32], batches[3].Order());
        }
    }

    [Fact]
    public async Task A_receiver_without_the_batch_endpoint_gets_single_commands()
    {
        var single = 0;
        var batcher = new ForwardBatcher(0,
            (_, _, _, _) => Task.FromResult<IReadOnlyList<CommandResult?>?>(null),
            (_, _, command, _, _, _) =>
            {
                Interlocked.Increment(ref single);
                return Task.FromResult<CommandResult?>(Result(command[0]));
            },
            TimeProvider.System);
        var first = await batcher.ForwardAsync(Leader, [7, 0], Guid.NewGuid(), 5000, CancellationToken.None);
        Assert.Equal(7, Assert.IsType<CodeResult>(first).NowMs);
        // Remembered for a while: the next command goes straight to the single endpoint.
        var second = await batcher.ForwardAsync(Leader, [8, 0], Guid.NewGuid(), 5000, CancellationToken.None);
        Assert.Equal(8, Assert.IsType<CodeResult>(second).NowMs);
        Assert.Equal(2, single);
    }

    [Fact]
    public async Task A_transport_failure_fails_every_command_of_the_batch_and_a_cancelled_caller_stops_waiting()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var batcher = new ForwardBatcher(0,
            async (_, _, _, _) =>
            {
                Interlocked.Increment(ref calls);
                await release.Task;
                throw new HttpRequestException("connection refused");
            },
            (_, _, _, _, _, _) => throw new InvalidOperationException("v1 not expected"),
            TimeProvider.System);
        var inFlight = Enumerable.Range(0, ForwardBatcher.MaxInFlight)
            .Select(_ => batcher.ForwardAsync(Leader, [1, 2], Guid.NewGuid(), 5000, CancellationToken.None)).ToList();
        using var cancel = new CancellationTokenSource();
        var abandoned = batcher.ForwardAsync(Leader, [1, 2], Guid.NewGuid(), 5000, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        release.SetResult();
        foreach (var t in inFlight)
            await Assert.ThrowsAsync<HttpRequestException>(() => t);
        // The abandoned command was dropped from the queue, not sent.
        Assert.Equal(ForwardBatcher.MaxInFlight, calls);
    }

    [Fact]
    public void The_wire_format_round_trips_and_rejects_garbage()
    {
        var items = new List<ForwardBatchCodec.Item>
        {
            new(Guid.NewGuid(), 1234, new byte[] { 1, 2, 3 }),
            new(Guid.NewGuid(), 1, new byte[300]),
        };
        var request = ForwardBatchCodec.EncodeRequest(items);
        var decoded = ForwardBatchCodec.TryDecodeRequest(request);
        Assert.NotNull(decoded);
        Assert.Equal(items.Select(i => (i.RequestId, i.TimeoutMs, i.Command.ToArray())), decoded.Select(i => (i.RequestId, i.TimeoutMs, i.Command.ToArray())), new TupleComparer());
        Assert.Null(ForwardBatchCodec.TryDecodeRequest(request.AsMemory(0, request.Length - 1)));
        Assert.Null(ForwardBatchCodec.TryDecodeRequest(new byte[] { 2, 1, 0, 0, 0 }));
        Assert.Null(ForwardBatchCodec.TryDecodeRequest(new byte[] { 1, 255, 255, 255, 127 }));
        Assert.Null(ForwardBatchCodec.TryDecodeRequest(Array.Empty<byte>()));

        var answers = new List<ForwardBatchCodec.Answer>
        {
            new(ForwardOutcome.Ok, new byte[] { 9, 9 }),
            new(ForwardOutcome.NotLeader, ReadOnlyMemory<byte>.Empty),
            new(ForwardOutcome.Unavailable, ReadOnlyMemory<byte>.Empty),
        };
        var answer = ForwardBatchCodec.EncodeAnswer(answers);
        var back = ForwardBatchCodec.TryDecodeAnswer(answer, 3);
        Assert.NotNull(back);
        Assert.Equal(answers.Select(a => a.Outcome), back.Select(a => a.Outcome));
        Assert.Equal(new byte[] { 9, 9 }, back[0].Result.ToArray());
        Assert.Null(ForwardBatchCodec.TryDecodeAnswer(answer, 2));
        answer[5] = 77; // an outcome nobody defined
        Assert.Null(ForwardBatchCodec.TryDecodeAnswer(answer, 3));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
            await Task.Delay(10, deadline.Token);
    }

    private sealed class TupleComparer : IEqualityComparer<(Guid, int, byte[])>
    {
        public bool Equals((Guid, int, byte[]) x, (Guid, int, byte[]) y) => x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.AsSpan().SequenceEqual(y.Item3);

        public int GetHashCode((Guid, int, byte[]) obj) => obj.Item1.GetHashCode();
    }
}
