namespace RaftBurrow.StateMachine.State;

/// <summary>What a pending deadline is about.</summary>
internal enum DeadlineKind : byte
{
    ZaqarMessageExpiry,
    ZaqarMessageVisible,
    ZaqarClaimExpiry,
    SubscriptionExpiry,
    BurrowTtl,
    BurrowHide,
}

/// <summary>
/// An entry of the deadline heap. Entries are never updated in place: a changed deadline pushes a
/// new entry and the old one becomes stale (its target no longer has that deadline) and is dropped
/// when it surfaces or when the heap is rebuilt.
/// </summary>
internal readonly record struct Deadline(object Target, DeadlineKind Kind);
