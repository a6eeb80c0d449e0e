namespace RaftBurrow.StateMachine.State;

/// <summary>A Zaqar queue: metadata, its messages in FIFO order, its live claims and subscriptions.</summary>
internal sealed class ZaqarQueue
{
    public ZaqarQueue(string project, string name, long createdMs)
    {
        Project = project;
        Name = name;
        CreatedMs = createdMs;
    }

    public string Project { get; }

    public string Name { get; }

    public long CreatedMs { get; }

    /// <summary>UTF-8 JSON object as stored (never empty: <c>{}</c> at least).</summary>
    public byte[] MetadataJson { get; private set; } = "{}"u8.ToArray();

    /// <summary>The reserved keys parsed from <see cref="MetadataJson"/> (kept in step with it).</summary>
    public QueueSettings Settings { get; private set; } = QueueSettings.None;

    /// <summary>Messages in post order. Invariant: holds exactly the queue's messages that are not removed (plus tombstones).</summary>
    public SequencedList<ZaqarMessage> Messages { get; } = new();

    /// <summary>
    /// A performance hint, not state (not in the snapshot, 0 after a restore): every live message
    /// with a smaller sequence is claimed, so claims may start scanning here. Invariant: lowered
    /// whenever a message is unclaimed while still live (a claim released or expired).
    /// </summary>
    public long UnclaimedFromSeq { get; set; }

    /// <summary>Live claims by id sequence.</summary>
    public SortedDictionary<long, ZaqarClaim> Claims { get; } = new();

    /// <summary>Subscriptions by id sequence.</summary>
    public SortedDictionary<long, Subscription> Subscriptions { get; } = new();

    public void SetMetadata(byte[] json)
    {
        MetadataJson = json.Length == 0 ? "{}"u8.ToArray() : json;
        Settings = QueueSettings.Parse(MetadataJson);
    }
}

/// <summary>A Zaqar message. Times are absolute Unix ms.</summary>
internal sealed class ZaqarMessage : ISequenced
{
    public required long Seq { get; init; }

    public required ZaqarQueue Queue { get; init; }

    public required long CreatedMs { get; init; }

    public required int TtlSeconds { get; set; }

    /// <summary>Invariant: only grows (claims extend it).</summary>
    public required long ExpiresMs { get; set; }

    public required long VisibleAtMs { get; init; }

    /// <summary>Where the body lives (null slab: empty body). See <see cref="BodyStore"/>.</summary>
    public BodySlab? BodySlab { get; set; }

    public int BodyOffset { get; set; }

    /// <summary>Set once with the body (compaction moves the body, not its length): snapshot images read it later.</summary>
    public int BodyLength { get; set; }

    public ReadOnlySpan<byte> Body => BodySlab is null ? default : BodySlab.Bytes.AsSpan(BodyOffset, BodyLength);

    public required Guid ClientId { get; init; }

    /// <summary>The live claim holding the message, or null. Invariant: if set, the claim lists this message.</summary>
    public ZaqarClaim? Claim { get; set; }

    public int ClaimCount { get; set; }

    public bool Removed { get; set; }

    /// <summary>
    /// Snapshot bookkeeping, not replicated state (never in the snapshot, never read by apply): the
    /// capture epoch at this message's last preserved mutation, or at its creation. A snapshot image
    /// captured at a higher epoch reads the fields below from the message itself; one at this epoch
    /// or lower reads the copy saved before the mutation (see <see cref="SnapshotEpochs"/>).
    /// Invariant: every mutation of <see cref="TtlSeconds"/>, <see cref="ExpiresMs"/>,
    /// <see cref="BodySlab"/>, <see cref="BodyOffset"/>, <see cref="Claim"/>, <see cref="ClaimCount"/>
    /// or <see cref="Removed"/> after creation is preceded by <see cref="SnapshotEpochs.Preserve"/>.
    /// Written by the applying thread, read by image writers (hence a field, for Volatile).
    /// </summary>
    public int SnapshotEpoch;
}

/// <summary>
/// The fields of a <see cref="ZaqarMessage"/> that a snapshot writes and that can change after the
/// message was posted (claims extend its expiry and set its claim, body compaction moves its body,
/// removal marks it), as of one moment.
/// </summary>
internal readonly record struct MessageFields(int TtlSeconds, long ExpiresMs, BodySlab? BodySlab, int BodyOffset,
    long ClaimSeq, int ClaimCount, bool Removed)
{
    /// <summary>Reads the fields of <paramref name="m"/> as they are now.</summary>
    public static MessageFields Of(ZaqarMessage m) =>
        new(m.TtlSeconds, m.ExpiresMs, m.BodySlab, m.BodyOffset, m.Claim?.Seq ?? 0, m.ClaimCount, m.Removed);
}

/// <summary>A Zaqar claim over some messages of one queue.</summary>
internal sealed class ZaqarClaim
{
    public required long Seq { get; init; }

    public required ZaqarQueue Queue { get; init; }

    public required long CreatedMs { get; init; }

    public required int TtlSeconds { get; set; }

    public required int GraceSeconds { get; set; }

    public required long ExpiresMs { get; set; }

    /// <summary>Claimed messages in queue order. Invariant: each has <see cref="ZaqarMessage.Claim"/> == this; never empty while the claim is live.</summary>
    public List<ZaqarMessage> Messages { get; } = [];

    public bool Removed { get; set; }
}

/// <summary>A Zaqar subscription (a replicated record; the notifier lives outside the state machine).</summary>
internal sealed class Subscription
{
    public required long Seq { get; init; }

    public required ZaqarQueue Queue { get; init; }

    public required string Subscriber { get; set; }

    public required long CreatedMs { get; init; }

    public required int TtlSeconds { get; set; }

    public required long ExpiresMs { get; set; }

    public required byte[] OptionsJson { get; set; }

    public bool Confirmed { get; set; }

    public bool Removed { get; set; }
}
