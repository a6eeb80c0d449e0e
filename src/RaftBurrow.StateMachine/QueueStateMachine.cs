using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

/// <summary>
/// The queue state machine of one partition (DESIGN.md §4, docs/state-machine.md). Pure and
/// deterministic: no clock, no randomness, no I/O; commands carry their time; ids derive from the log.
/// </summary>
/// <remarks>
/// Threading: not thread-safe. The owner serializes <see cref="Apply"/>, snapshots and queries (see
/// <see cref="IReplicatedStateMachine"/>). Queries never mutate state, so concurrent readers are safe
/// while no command is being applied. Views share body arrays with the state: never mutate them.
/// </remarks>
public sealed partial class QueueStateMachine : IReplicatedStateMachine, IQueueQueries
{
    // Replicated state (all of it is in the snapshot and the state hash).

    /// <summary>Invariant: never decreases; every deadline at or before it has been processed.</summary>
    private long _clockMs;

    /// <summary>Last sequence number handed out (ids, positions). Invariant: never decreases, never reused.</summary>
    private long _seq;

    private readonly SortedDictionary<string, SortedDictionary<string, ZaqarQueue>> _zaqarProjects = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, BurrowAccount> _burrowAccounts = new(StringComparer.Ordinal);
    private readonly DedupTable _dedup = new();

    /// <summary>The dead-letter outbox in arrival order (key: outbox sequence).</summary>
    private readonly SortedDictionary<long, DeadLetterView> _outbox = [];
    private long _outboxSeq;

    // Derived indexes (rebuilt on restore, never enumerated for outputs).

    private int _zaqarMessageCount;
    private BodyStore _bodies = new();
    private readonly Dictionary<long, ZaqarClaim> _claims = [];
    private readonly Dictionary<long, Subscription> _subscriptions = [];
    private readonly Dictionary<string, long> _outboxById = new(StringComparer.Ordinal);
    private int _burrowMessageCount;

    /// <summary>Pending deadlines (lazily cleaned: see <see cref="Deadline"/>). Invariant after every apply: the top, if any, is valid.</summary>
    private readonly PriorityQueue<Deadline, long> _deadlines = new();

    // Scratch set by PostMessages for the dedup entry of the command being applied.
    private string? _pendingKey;
    private long _pendingPostFirstSeq;
    private int _pendingPostCount = -1;

    /// <summary>Creates an empty state machine.</summary>
    public QueueStateMachine(QueueStateMachineOptions options) => Options = options;

    /// <summary>The options this machine was created with.</summary>
    public QueueStateMachineOptions Options { get; }

    /// <inheritdoc />
    public long AppliedIndex { get; private set; }

    /// <summary>The machine's clock: the largest entry timestamp applied so far (Unix ms).</summary>
    public long ClockMs => _clockMs;

    /// <summary>The last sequence number handed out (ids derive from it).</summary>
    public long LastSequence => _seq;

    /// <inheritdoc />
    public long? NextDeadlineMs => _deadlines.TryPeek(out _, out var at) ? at : null;

    /// <inheritdoc />
    public object? Apply(long index, ReadOnlySpan<byte> entry)
    {
        if (index <= AppliedIndex)
            return null;
        if (!LogEntryCodec.TryDecode(entry, out var timestampMs, out var requestId, out var commandBytes))
            return Reject(index);
        var command = CommandDecoder.TryDecode(commandBytes);
        if (command is null || !CommandValidator.IsWellFormed(command))
            return Reject(index);
        return ApplyCommand(index, timestampMs, requestId, command);
    }

    /// <summary>
    /// Applies a decoded command (tests and benchmarks use this directly). An index at or below
    /// <see cref="AppliedIndex"/> changes nothing and answers <see cref="ResultCode.BadCommand"/>
    /// (<see cref="Apply"/> answers null there).
    /// </summary>
    public CommandResult ApplyCommand(long index, long timestampMs, Guid requestId, Command command)
    {
        if (index <= AppliedIndex || !CommandValidator.IsWellFormed(command))
            return index <= AppliedIndex ? new CodeResult(ResultCode.BadCommand, _clockMs) : Reject(index);
        AppliedIndex = index;
        if (timestampMs > _clockMs)
            _clockMs = timestampMs;
        ProcessDeadlines();
        _dedup.Evict(_clockMs, Options.DedupWindowMs, Options.MaxDedupEntries);
        if (_dedup.TryGet(requestId, out var seen))
        {
            CleanDeadlines();
            return seen.Materialize(Options.PartitionId);
        }

        _pendingKey = null;
        _pendingPostCount = -1;
        var result = Dispatch(index, command);
        Remember(requestId, result);
        CleanDeadlines();
        if (_bodies.NeedsCompaction)
            CompactBodies();
        return result;
    }

    private CodeResult Reject(long index)
    {
        AppliedIndex = index;
        return new CodeResult(ResultCode.BadCommand, _clockMs);
    }

    private CommandResult Dispatch(long index, Command command) => command switch
    {
        PostMessages c => PostMessages(c),
        CreateClaim c => CreateClaim(c),
        DeleteMessage c => DeleteMessage(c),
        DeleteMessages c => DeleteMessages(c),
        PopMessages c => PopMessages(c),
        UpdateClaim c => UpdateClaim(c),
        ReleaseClaim c => ReleaseClaim(c),
        CreateQueue c => CreateQueue(c),
        ReplaceQueueMetadata c => ReplaceQueueMetadata(c),
        PatchQueueMetadata c => PatchQueueMetadata(c),
        DeleteQueue c => DeleteQueue(c),
        PurgeQueue c => PurgeQueue(c),
        CreateSubscription c => CreateSubscription(c),
        UpdateSubscription c => UpdateSubscription(c),
        DeleteSubscription c => DeleteSubscription(c),
        ConfirmSubscription c => ConfirmSubscription(c),
        Expire => Code(ResultCode.Ok),
        CompleteDeadLetters c => CompleteDeadLetters(c),
        BurrowPutMessage c => BurrowPut(c, index),
        BurrowUpdateMessages c => BurrowUpdateMessages(c),
        BurrowUpdateMessage c => BurrowUpdateMessage(c),
        BurrowDeleteMessages c => BurrowDeleteMessages(c),
        BurrowDeleteMessage c => BurrowDeleteMessage(c),
        BurrowDeleteQueue c => BurrowDeleteQueue(c),
        BurrowDeleteAccount c => BurrowDeleteAccount(c),
        _ => Code(ResultCode.BadCommand),
    };

    private void Remember(Guid requestId, CommandResult result)
    {
        if (requestId == Guid.Empty && _pendingKey is null)
            return;
        var kind = _pendingPostCount >= 0 ? DedupKind.Post : result is CodeResult ? DedupKind.Code : DedupKind.Object;
        _dedup.Add(new DedupEntry
        {
            RequestId = requestId,
            Key = _pendingKey,
            AtMs = _clockMs,
            Kind = kind,
            Result = kind == DedupKind.Object ? result : null,
            Code = result.Code,
            AppliedAtMs = result.NowMs,
            PostFirstSeq = kind == DedupKind.Post ? _pendingPostFirstSeq : 0,
            PostCount = kind == DedupKind.Post ? _pendingPostCount : 0,
        });
    }

    private CodeResult Code(ResultCode code) => new(code, _clockMs);

    private long NextSeq() => ++_seq;

    private string FormatId(long seq) => MessageIds.Format(Options.PartitionId, seq);

    private long ParseId(string? id) => MessageIds.Parse(Options.PartitionId, id);
}
