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
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BorrowedMemory holds no resource: its Dispose only forgets a pointer, which Apply already does.")]
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

    private readonly BorrowedMemory _borrowed = new();

    /// <summary>Copy-on-write for snapshot images being written (local bookkeeping, not state). Invariant:
    /// <see cref="Preserve"/> precedes every change to a Zaqar message's snapshotted fields.</summary>
    private readonly SnapshotEpochs _epochs = new();

    /// <summary>Bytes of body slabs held (live and dead bodies): what body compaction brings back down. For tests.</summary>
    internal long BodySlabBytesHeld => _bodies.SlabBytesHeld;

    /// <summary>Reused buffer for the messages of the post being applied.</summary>
    private readonly List<PostedMessage> _postScratch = [];

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
    /// <remarks>
    /// A batch entry (<see cref="LogEntryCodec.BatchVersion"/>) answers an <c>object?[]</c> with one
    /// result per item, in order; every item is applied as if it were an entry of its own at
    /// <paramref name="index"/> (its own timestamp, request id and dedup), so a retry of one item in
    /// a later batch or alone is recognized. A batch whose framing is cut short answers one
    /// <see cref="ResultCode.BadCommand"/> result for every item it announced.
    /// </remarks>
    public object? Apply(long index, ReadOnlySpan<byte> entry)
    {
        if (index <= AppliedIndex)
            return null;
        if (LogEntryCodec.IsBatch(entry))
            return ApplyBatch(index, entry);
        return ApplyOne(index, entry);
    }

    private object? ApplyBatch(long index, ReadOnlySpan<byte> entry)
    {
        if (!LogEntryCodec.TryReadBatchCount(entry, out var count) || count > entry.Length)
            return Reject(index);
        AppliedIndex = index; // an empty batch still moves the index
        var results = new object?[count];
        var rest = entry[LogEntryCodec.BatchHeaderSize..];
        for (var i = 0; i < count; i++)
            results[i] = LogEntryCodec.TryReadBatchItem(ref rest, out var item) ? ApplyOne(index, item) : Reject(index);
        return results;
    }

    private object? ApplyOne(long index, ReadOnlySpan<byte> entry)
    {
        if (!LogEntryCodec.TryDecode(entry, out var timestampMs, out var requestId, out var commandBytes))
            return Reject(index);
        unsafe
        {
            fixed (byte* pointer = commandBytes)
            {
                var bytes = _borrowed.Lend(pointer, commandBytes.Length);
                try
                {
                    // Hot path: posts are read straight from the entry bytes (no command object, no
                    // array per body). Anything it does not recognize goes the general way, which
                    // has the final word.
                    if (PostReader.TryRead(bytes, _postScratch, out var post))
                        return ApplyPost(index, timestampMs, requestId, post);
                    var command = CommandDecoder.TryDecode(bytes);
                    if (command is null || !CommandValidator.IsWellFormed(command))
                        return Reject(index);
                    return ApplyDecoded(index, timestampMs, requestId, command);
                }
                finally
                {
                    _postScratch.Clear();
                    _borrowed.Return();
                }
            }
        }
    }

    /// <summary>
    /// Applies a decoded command (tests and benchmarks use this directly). An index at or below
    /// <see cref="AppliedIndex"/> changes nothing and answers <see cref="ResultCode.BadCommand"/>
    /// (<see cref="Apply"/> answers null there).
    /// </summary>
    public CommandResult ApplyCommand(long index, long timestampMs, Guid requestId, Command command)
    {
        if (index <= AppliedIndex)
            return new CodeResult(ResultCode.BadCommand, _clockMs);
        if (!CommandValidator.IsWellFormed(command))
            return Reject(index);
        return ApplyDecoded(index, timestampMs, requestId, command);
    }

    /// <summary>Applies a well-formed command without the index check (items of a batch share their entry's index).</summary>
    private CommandResult ApplyDecoded(long index, long timestampMs, Guid requestId, Command command)
    {
        if (Begin(index, timestampMs, requestId) is { } seen)
            return seen;
        var result = Dispatch(index, command);
        Finish(requestId, result);
        return result;
    }

    private CommandResult ApplyPost(long index, long timestampMs, Guid requestId, in PostReader post)
    {
        if (Begin(index, timestampMs, requestId) is { } seen)
            return seen;
        var result = PostMessages(post.Project, post.Queue, post.ClientId, post.IdempotencyKey, _postScratch);
        Finish(requestId, result);
        return result;
    }

    /// <summary>Steps before any command: index, clock, due deadlines, dedup. Returns the remembered result of a retry.</summary>
    private CommandResult? Begin(long index, long timestampMs, Guid requestId)
    {
        AppliedIndex = index;
        if (timestampMs > _clockMs)
            _clockMs = timestampMs;
        ProcessDeadlines();
        _dedup.Evict(_clockMs, Options.DedupWindowMs, Options.MaxDedupEntries);
        _pendingKey = null;
        _pendingPostCount = -1;
        if (_dedup.TryGet(requestId, out var seen))
        {
            CleanDeadlines();
            return seen.Kind == DedupKind.Claim ? RetriedClaim(seen) : seen.Materialize(Options.PartitionId);
        }
        return null;
    }

    /// <summary>Steps after any command: remember the result, keep the heap top valid, compact bodies.</summary>
    private void Finish(Guid requestId, CommandResult result)
    {
        Remember(requestId, result);
        CleanDeadlines();
        // Not while an image is open: compaction moves every live body, so every message would get a
        // saved copy for it (~100 B each: 300 MB for 3M messages). Placement is not replicated state
        // (answers and snapshot bytes never depend on it), so replicas may compact at different times;
        // the check runs again after every command and compacts once the image is written.
        if (_bodies.NeedsCompaction && !_epochs.AnyOpen)
            CompactBodies();
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
        // Claims are remembered by id only: a claim result carries up to 20 bodies, and keeping
        // those for the whole window would cost far more memory than anything else here.
        var kind = _pendingPostCount >= 0 ? DedupKind.Post
            : result is CodeResult ? DedupKind.Code
            : result is ClaimResult { Claim: not null } ? DedupKind.Claim
            : DedupKind.Object;
        _dedup.Add(new DedupEntry
        {
            RequestId = requestId,
            Key = _pendingKey,
            AtMs = _clockMs,
            Kind = kind,
            Result = kind == DedupKind.Object ? Bounded(result) : null,
            Code = result.Code,
            AppliedAtMs = result.NowMs,
            PostFirstSeq = kind switch
            {
                DedupKind.Post => _pendingPostFirstSeq,
                DedupKind.Claim => ParseId(((ClaimResult)result).Claim!.Id),
                _ => 0,
            },
            PostCount = kind == DedupKind.Post ? _pendingPostCount : 0,
        });
    }

    /// <summary>Most body bytes one remembered result may keep; a bigger pop or Burrow result is remembered without its messages.</summary>
    private const int MaxRememberedBodyBytes = 1 << 20;

    /// <summary>
    /// What the dedup table keeps of a result: removed messages cannot be rebuilt, so pops and Burrow
    /// results are kept whole, unless they are big (a Burrow delete-matching without a limit can
    /// return a whole queue); then a retry gets the code and no messages, and still applies nothing.
    /// </summary>
    private static CommandResult Bounded(CommandResult result)
    {
        long bytes = 0;
        switch (result)
        {
            case MessagesResult m:
                foreach (var v in m.Messages)
                    bytes += v.BodyJson.Length;
                return bytes > MaxRememberedBodyBytes ? m with { Messages = [] } : m;
            case BurrowMessagesResult b:
                foreach (var v in b.Messages)
                    bytes += v.Body.Length;
                return bytes > MaxRememberedBodyBytes ? b with { Messages = [] } : b;
            default:
                return result;
        }
    }

    private CodeResult Code(ResultCode code) => new(code, _clockMs);

    private long NextSeq() => ++_seq;

    private string FormatId(long seq) => MessageIds.Format(Options.PartitionId, seq);

    private long ParseId(string? id) => MessageIds.Parse(Options.PartitionId, id);
}
