using System.Globalization;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster;

/// <summary>
/// Plausible-looking answers for the deliberately unsafe <c>UnsafeAckBeforeCommit</c> fault: the
/// command was only appended locally, so the real result is unknown. These exist so that the
/// jepsen-style harness can prove it detects acknowledged-but-lost writes; never used otherwise.
/// </summary>
internal static class UnsafeResults
{
    public static CommandResult For(Command command, Guid requestId, long nowMs) => command switch
    {
        PostMessages post => new PostMessagesResult(ResultCode.Created, nowMs,
            Enumerable.Range(0, post.Messages.Length).Select(i => $"unsafe-{requestId:N}-{i.ToString(CultureInfo.InvariantCulture)}").ToArray()),
        CreateClaim => new ClaimResult(ResultCode.NoContent, nowMs, null),
        PopMessages => new MessagesResult(ResultCode.Ok, nowMs, []),
        CreateSubscription => new CreatedIdResult(ResultCode.Created, nowMs, $"unsafe-{requestId:N}"),
        CreateQueue or ReplaceQueueMetadata or PatchQueueMetadata => new MetadataResult(ResultCode.Ok, nowMs, "{}"u8.ToArray()),
        BurrowPutMessage => new BurrowMessagesResult(ResultCode.Created, nowMs, []),
        BurrowQueueCommand or BurrowDeleteAccount => new BurrowMessagesResult(ResultCode.Ok, nowMs, []),
        _ => new CodeResult(ResultCode.Ok, nowMs),
    };
}
