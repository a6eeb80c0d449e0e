using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>The default HTTP meaning of a state machine <see cref="ResultCode"/> (handlers override where Zaqar differs per route).</summary>
internal static class ZaqarResultCodes
{
    /// <summary>The error for a failure code.</summary>
    public static ZaqarError ToError(ResultCode code, ZaqarCall call) => code switch
    {
        ResultCode.QueueNotFound => ZaqarError.NotFound($"Queue {call.Queue} does not exist for project {call.Project}"),
        ResultCode.MessageNotFound => ZaqarError.NotFound($"Message does not exist in queue {call.Queue} for project {call.Project}"),
        ResultCode.ClaimNotFound => ZaqarError.NotFound($"Claim does not exist in queue {call.Queue} for project {call.Project}"),
        ResultCode.SubscriptionNotFound => ZaqarError.NotFound($"Subscription does not exist in queue {call.Queue} for project {call.Project}"),
        ResultCode.ClaimMismatch => new ZaqarError(403, "Unable to delete", "This message is claimed; it cannot be deleted without a valid claim ID."),
        ResultCode.MessageNotClaimed => new ZaqarError(400, "Unable to delete", "A claim was specified, but the message is not currently claimed."),
        ResultCode.QuotaExceeded => new ZaqarError(400, "Quota exceeded", $"A quota of project {call.Project} would be exceeded (queues per project or messages per queue)."),
        ResultCode.PostTooLarge => ZaqarError.BadRequest("Message collection size is too large for this queue's _max_messages_post_size."),
        ResultCode.InvalidPatch => ZaqarError.Conflict("A patch operation targets a metadata key that does not exist."),
        ResultCode.Conflict => ZaqarError.Conflict("Such subscription already exists. Subscriptions are unique by project + queue + subscriber URI."),
        _ => new ZaqarError(500, "Internal server error", $"Unexpected result {code} from the state machine."),
    };
}
