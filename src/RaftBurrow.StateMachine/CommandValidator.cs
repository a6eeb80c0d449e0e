using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>
/// Structural checks of a decoded command: MessagePack can decode nil into fields the C# types
/// declare non-null. Range and syntax checks belong to the API edge; this only keeps the machine
/// from dereferencing null.
/// </summary>
internal static class CommandValidator
{
    public static bool IsWellFormed(Command command) => command switch
    {
        PostMessages c => Q(c.Project, c.Queue) && c.Messages is not null && Array.TrueForAll(c.Messages, m => m is not null && m.BodyJson is not null),
        CreateQueue c => Q(c.Project, c.Queue) && c.MetadataJson is not null,
        ReplaceQueueMetadata c => Q(c.Project, c.Queue) && c.MetadataJson is not null,
        PatchQueueMetadata c => Q(c.Project, c.Queue) && c.Ops is not null && Array.TrueForAll(c.Ops, o => o is not null && o.Op is not null && o.Path is not null && o.ValueJson is not null),
        DeleteMessage c => Q(c.Project, c.Queue) && c.MessageId is not null,
        DeleteMessages c => Q(c.Project, c.Queue) && c.MessageIds is not null && Array.TrueForAll(c.MessageIds, i => i is not null),
        UpdateClaim c => Q(c.Project, c.Queue) && c.ClaimId is not null,
        ReleaseClaim c => Q(c.Project, c.Queue) && c.ClaimId is not null,
        CreateSubscription c => Q(c.Project, c.Queue) && c.Subscriber is not null && c.OptionsJson is not null,
        UpdateSubscription c => Q(c.Project, c.Queue) && c.SubscriptionId is not null,
        DeleteSubscription c => Q(c.Project, c.Queue) && c.SubscriptionId is not null,
        ConfirmSubscription c => Q(c.Project, c.Queue) && c.SubscriptionId is not null,
        ZaqarQueueCommand c => Q(c.Project, c.Queue),
        CompleteDeadLetters c => c.MessageIds is not null && Array.TrueForAll(c.MessageIds, i => i is not null),
        BurrowPutMessage c => Q(c.Project, c.Queue) && c.MessageId is not null && c.Body is not null,
        BurrowUpdateMessages c => Q(c.Project, c.Queue) && c.Selector is not null,
        BurrowDeleteMessages c => Q(c.Project, c.Queue) && c.Selector is not null,
        BurrowUpdateMessage c => Q(c.Project, c.Queue) && c.MessageId is not null,
        BurrowDeleteMessage c => Q(c.Project, c.Queue) && c.MessageId is not null,
        BurrowQueueCommand c => Q(c.Project, c.Queue),
        BurrowDeleteAccount c => c.Project is not null,
        Expire => true,
        _ => false,
    };

    private static bool Q(string? project, string? queue) => project is not null && queue is not null;
}
