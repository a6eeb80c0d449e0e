using CsCheck;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.StateMachine.Tests;

/// <summary>
/// Random command sequences against <see cref="NaiveModel"/>, and a replica-determinism check.
/// CsCheck prints the seed of a failing sequence; replay it with the environment variable
/// <c>CsCheck_Seed=&lt;seed&gt;</c> (or pass it as <c>seed:</c> below); <c>CsCheck_Iter=N</c> runs N sequences.
/// </summary>
public class PropertyTests(ITestOutputHelper output)
{
    private static readonly Gen<uint[]> Sequences = Gen.UInt.Array[5, 80];

    /// <summary>Iterations: the default, or <c>CsCheck_Iter</c> from the environment for a longer soak.</summary>
    private static long Iterations(long standard) =>
        long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var n) && n > 0 ? n : standard;

    private static BurrowSelector AllHidden => new() { MatchHidden = true };

    private static List<string> Real(QueueStateMachine m, string queue, long nowMs) =>
        m.ListMessages("p", queue, new ListMessagesOptions { Limit = 10_000, Echo = true, IncludeClaimed = true, IncludeDelayed = true }, nowMs)?.Messages
            .Select(v => $"{v.Id} {System.Text.Encoding.UTF8.GetString(v.BodyJson)} ttl={v.TtlSeconds} exp={v.ExpiresMs} vis={v.VisibleAtMs} claim={v.ClaimId ?? "-"} count={v.ClaimCount}")
            .ToList() ?? [];

    private static (ResultCode, List<string>) RealBurrow(QueueStateMachine m, string queue, long nowMs)
    {
        var (code, messages) = m.BurrowListMessages("acct", queue, AllHidden, nowMs);
        if (code == ResultCode.MessageNotFound)
            code = ResultCode.Ok; // the model lists an empty match as Ok with nothing
        return (code, messages.Select(v => $"{v.Id} {System.Text.Encoding.UTF8.GetString(v.Body)} ttl={v.TtlDeadlineS} hide={v.HideDeadlineS}").ToList());
    }

    private static string[] IdsOf(CommandResult result) => result switch
    {
        PostMessagesResult p => p.MessageIds,
        ClaimResult { Claim: { } c } => [c.Id, .. c.Messages.Select(m => m.Id)],
        MessagesResult m => m.Messages.Select(x => x.Id).ToArray(),
        BurrowMessagesResult b => b.Messages.Select(x => x.Id).ToArray(),
        _ => [],
    };

    private static void RunAgainstModel(uint[] steps)
    {
        var model = new NaiveModel();
        var machine = new QueueStateMachine(new QueueStateMachineOptions { PartitionId = NaiveModel.PartitionId });
        long nowMs = 1_700_000_000_000, index = 0;
        foreach (var step in steps)
        {
            var command = CommandScript.Next(step, model, ref nowMs);
            if (command is not null)
            {
                var expected = model.Apply(nowMs, command);
                var entry = LogEntryCodec.Encode(nowMs, Guid.Empty, CommandCodec.Encode(command));
                var actual = (CommandResult)machine.Apply(++index, entry)!;
                Assert.True(expected.Code == actual.Code, $"{command}: expected {expected.Code}, got {actual.Code}");
                Assert.Equal(expected.Ids, IdsOf(actual));
                Assert.Equal(model.NextDeadlineMs(), machine.NextDeadlineMs);
            }
            foreach (var q in NaiveModel.ZaqarQueues)
            {
                Assert.Equal(model.QueueExists(q), machine.GetQueue("p", q) is not null);
                Assert.Equal(model.ZaqarView(q, nowMs), Real(machine, q, nowMs));
            }
            foreach (var q in NaiveModel.BurrowQueues)
            {
                var (code, view) = model.BurrowView(q, nowMs);
                var (realCode, realView) = RealBurrow(machine, q, nowMs);
                Assert.Equal(code, realCode);
                Assert.Equal(view, realView);
            }
        }
    }

    [Fact]
    public void Random_sequences_match_the_naive_model() =>
        Sequences.Sample(RunAgainstModel, writeLine: output.WriteLine, iter: Iterations(3000));

    private static void RunTwoReplicas(uint[] steps, int restoreAt)
    {
        var model = new NaiveModel();
        var options = new QueueStateMachineOptions { PartitionId = NaiveModel.PartitionId, MaxDedupEntries = 8, DedupWindowMs = 100_000 };
        var a = new QueueStateMachine(options);
        var b = new QueueStateMachine(options);
        long nowMs = 1_700_000_000_000, index = 0;
        for (var i = 0; i < steps.Length; i++)
        {
            Command? command;
            if (steps[i] % 16 is 0 or 10)
            {
                command = CommandScript.Extra(steps[i] >> 1, model);
            }
            else
            {
                command = CommandScript.Next(steps[i], model, ref nowMs);
                if (command is null)
                    continue;
                model.Apply(nowMs, command);
            }
            // Request ids repeat now and then so the dedup table (bounded to 8) is exercised too.
            var requestId = new Guid(0, 0, 0, BitConverter.GetBytes((long)(steps[i] % 13)));
            var entry = LogEntryCodec.Encode(nowMs, requestId, CommandCodec.Encode(command));
            index++;
            var ra = a.Apply(index, entry);
            if (i == restoreAt)
            {
                using var stream = new MemoryStream();
                b.WriteSnapshot(stream);
                stream.Position = 0;
                b = new QueueStateMachine(options);
                b.RestoreSnapshot(stream);
                Assert.Equal(a.AppliedIndex - 1, b.AppliedIndex);
            }
            var rb = b.Apply(index, entry);
            Assert.Null(b.Apply(index, entry)); // duplicate delivery is skipped
            Assert.Equal(CommandCodec.EncodeResult((CommandResult)ra!), CommandCodec.EncodeResult((CommandResult)rb!));
            Assert.Equal(a.StateHash(), b.StateHash());
            Assert.Equal(a.NextDeadlineMs, b.NextDeadlineMs);
        }
    }

    [Fact]
    public void Replicas_with_a_snapshot_restore_in_the_middle_agree_at_every_step() =>
        Gen.Select(Sequences, Gen.Int[0, 80]).Sample(RunTwoReplicas, writeLine: output.WriteLine, iter: Iterations(2000));

    private static void ApplyCorruptedEntries(uint[] steps, uint[] flips)
    {
        var model = new NaiveModel();
        var machine = new QueueStateMachine(new QueueStateMachineOptions { PartitionId = NaiveModel.PartitionId });
        long nowMs = 1_700_000_000_000, index = 0;
        for (var i = 0; i < steps.Length; i++)
        {
            var command = CommandScript.Next(steps[i], model, ref nowMs);
            if (command is null)
                continue;
            model.Apply(nowMs, command);
            var entry = LogEntryCodec.Encode(nowMs, Guid.Empty, CommandCodec.Encode(command));
            // Flip a byte (in the command part mostly) of some entries; the machine must answer, not throw.
            var flip = flips[i % flips.Length];
            if (flip % 3 == 0)
                entry[LogEntryCodec.HeaderSize + (int)(flip >> 8) % (entry.Length - LogEntryCodec.HeaderSize)] ^= (byte)(1 + (flip >> 2) % 255);
            else if (flip % 7 == 1)
                entry = entry[..(int)((flip >> 8) % (uint)entry.Length)];
            Assert.NotNull(machine.Apply(++index, entry));
        }
        // And the state is still one a snapshot can carry.
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        stream.Position = 0;
        var copy = new QueueStateMachine(machine.Options);
        copy.RestoreSnapshot(stream);
        Assert.Equal(machine.StateHash(), copy.StateHash());
    }

    [Fact]
    public void Corrupted_entries_are_answered_never_thrown() =>
        Gen.Select(Sequences, Gen.UInt.Array[1, 20]).Sample(ApplyCorruptedEntries, writeLine: output.WriteLine, iter: Iterations(1000));
}
