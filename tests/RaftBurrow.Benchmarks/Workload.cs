using System.Text;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Benchmarks;

/// <summary>
/// Pre-encoded log entries for the apply-path benchmarks. Ids are derived from the log, so the ids
/// of messages and claims are known before anything is applied: entries for claim + delete can be
/// encoded up front and the measured loop does only Apply.
/// </summary>
internal static class Workload
{
    public const long StartMs = 1_700_000_000_000;
    public const int PartitionId = 1;
    public const int BatchSize = 10;
    public const int BodyBytes = 256;

    public static QueueStateMachineOptions Options => new() { PartitionId = PartitionId, MaxMessagesPerQueue = 0 };

    /// <summary>A JSON string body of exactly <see cref="BodyBytes"/> bytes.</summary>
    public static byte[] Body(int n) => Encoding.UTF8.GetBytes("\"" + n.ToString("d8") + new string('x', BodyBytes - 10) + "\"");

    private static Guid RequestId(long n) => new(0x5eed, 0, 0, BitConverter.GetBytes(n));

    /// <summary><paramref name="commands"/> posts of <see cref="BatchSize"/> × 256 B to queue "q", each with its own request id.</summary>
    public static byte[][] Posts(int commands, long firstRequest = 1)
    {
        var entries = new byte[commands][];
        for (var i = 0; i < commands; i++)
        {
            var post = new PostMessages
            {
                Project = "bench",
                Queue = "q",
                ClientId = Guid.Parse("3381af92-2b9e-11e3-b191-71861300734c"),
                Messages = Enumerable.Range(0, BatchSize).Select(j => new NewMessage { BodyJson = Body(i * BatchSize + j) }).ToArray(),
            };
            entries[i] = LogEntryCodec.Encode(StartMs + i / 100, RequestId(firstRequest + i), CommandCodec.Encode(post));
        }
        return entries;
    }

    /// <summary>
    /// After <paramref name="posted"/> messages (seq 1..posted), claims of 10 and deletes of the
    /// claimed messages: per round one CreateClaim (its id is the next sequence) and either ten
    /// DeleteMessage with the claim id or one DeleteMessages with the ten ids.
    /// </summary>
    public static byte[][] ClaimAndDelete(int posted, bool bulk)
    {
        var rounds = posted / BatchSize;
        var entries = new List<byte[]>(rounds * (bulk ? 2 : 1 + BatchSize));
        var seq = (long)posted;
        var requests = 1_000_000_000L;
        var nowMs = StartMs + 1000;
        for (var r = 0; r < rounds; r++)
        {
            var claimId = Id(++seq);
            entries.Add(LogEntryCodec.Encode(nowMs, RequestId(++requests), CommandCodec.Encode(new CreateClaim { Project = "bench", Queue = "q", TtlSeconds = 60, GraceSeconds = 60, Limit = BatchSize })));
            var ids = Enumerable.Range(1, BatchSize).Select(k => Id((long)r * BatchSize + k)).ToArray();
            if (bulk)
            {
                entries.Add(LogEntryCodec.Encode(nowMs, RequestId(++requests), CommandCodec.Encode(new DeleteMessages { Project = "bench", Queue = "q", MessageIds = ids })));
                continue;
            }
            foreach (var id in ids)
                entries.Add(LogEntryCodec.Encode(nowMs, RequestId(++requests), CommandCodec.Encode(new DeleteMessage { Project = "bench", Queue = "q", MessageId = id, ClaimId = claimId })));
        }
        return [.. entries];
    }

    public static string Id(long seq) => PartitionId.ToString("x8") + seq.ToString("x16");

    public static QueueStateMachine Fill(byte[][] posts)
    {
        var machine = new QueueStateMachine(Options);
        for (var i = 0; i < posts.Length; i++)
            machine.Apply(i + 1, posts[i]);
        return machine;
    }

    /// <summary>Applies entries after the machine's applied index and checks they succeeded (a benchmark that measures failures is worthless).</summary>
    public static void ApplyAll(QueueStateMachine machine, byte[][] entries)
    {
        var index = machine.AppliedIndex;
        foreach (var entry in entries)
        {
            var result = (CommandResult)machine.Apply(++index, entry)!;
            if (result.Code is not (ResultCode.Ok or ResultCode.Created))
                throw new InvalidOperationException($"Entry {index} answered {result.Code}.");
        }
    }
}
