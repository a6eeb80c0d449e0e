using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

/// <summary>What a message-level operation found: a code, the messages (after update / at deletion)
/// and the time they are relative to.</summary>
internal readonly record struct BurrowOutcome(ResultCode Code, IReadOnlyList<BurrowMessageView> Messages, long NowMs)
{
    /// <summary>Whether the operation answers 404 (and a long poll keeps waiting).</summary>
    public bool IsNotFound => Code is ResultCode.AccountNotFound or ResultCode.QueueNotFound
        or ResultCode.MessageNotFound or ResultCode.NoContent;

    /// <summary>Maps a command's result.</summary>
    public static BurrowOutcome From(CommandResult result) => result switch
    {
        BurrowMessagesResult messages => new BurrowOutcome(messages.Code, messages.Messages, messages.NowMs),
        _ => new BurrowOutcome(result.Code, [], result.NowMs),
    };
}
