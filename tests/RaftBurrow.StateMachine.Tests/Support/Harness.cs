using System.Text;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.Tests.Support;

/// <summary>Drives one state machine through the real entry bytes (envelope + codec) with logical time.</summary>
internal sealed class Harness
{
    public const long StartMs = 1_700_000_000_000;

    private long _requests;

    public Harness(QueueStateMachineOptions? options = null) =>
        Machine = new QueueStateMachine(options ?? new QueueStateMachineOptions { PartitionId = 3 });

    public QueueStateMachine Machine { get; }

    public long Index { get; private set; }

    public long NowMs { get; set; } = StartMs;

    public void Advance(TimeSpan by) => NowMs += (long)by.TotalMilliseconds;

    public Guid NextRequestId() => new(0, 0, 0, BitConverter.GetBytes(++_requests));

    public CommandResult Run(Command command, Guid? requestId = null)
    {
        var entry = LogEntryCodec.Encode(NowMs, requestId ?? NextRequestId(), CommandCodec.Encode(command));
        return (CommandResult)Machine.Apply(++Index, entry)!;
    }

    public T Run<T>(Command command, Guid? requestId = null) where T : CommandResult => Assert.IsType<T>(Run(command, requestId));

    public string[] Post(string queue, params string[] bodies) => Post(queue, Guid.Empty, bodies);

    public string[] Post(string queue, Guid clientId, params string[] bodies)
    {
        var result = Run<PostMessagesResult>(new PostMessages
        {
            Project = "p",
            Queue = queue,
            ClientId = clientId,
            Messages = bodies.Select(b => new NewMessage { BodyJson = Encoding.UTF8.GetBytes(b) }).ToArray(),
        });
        Assert.Equal(ResultCode.Created, result.Code);
        return result.MessageIds;
    }

    public ClaimResult Claim(string queue, int limit, int ttl = 60, int grace = 60) =>
        Run<ClaimResult>(new CreateClaim { Project = "p", Queue = queue, Limit = limit, TtlSeconds = ttl, GraceSeconds = grace });

    public ResultCode Delete(string queue, string id, string? claimId = null) =>
        Run(new DeleteMessage { Project = "p", Queue = queue, MessageId = id, ClaimId = claimId }).Code;

    public IReadOnlyList<MessageView> List(string queue, bool includeClaimed = true, int limit = 20, string? marker = null) =>
        Machine.ListMessages("p", queue, new ListMessagesOptions { Limit = limit, Echo = true, IncludeClaimed = includeClaimed, Marker = marker }, NowMs)!.Messages;

    public static string Body(MessageView m) => Encoding.UTF8.GetString(m.BodyJson);
}
