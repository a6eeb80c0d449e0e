using System.Buffers;
using MessagePack;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

// Snapshot (versioned, streamed MessagePack records) and the state hash (XxHash64 of the snapshot).
// Layout, version 1: [u8 version] then frames [i32 LE length][records…], ended by a zero length.
// A record is a MessagePack array whose first element is its tag (below); claims, messages and
// subscriptions belong to the Zaqar queue record before them, Burrow queues to the account before
// them, Burrow messages to the Burrow queue before them. The walk is canonical (sorted or insertion
// order, never hash order), so equal states give equal bytes and equal hashes. The writing side is
// SnapshotImage (a frozen copy, so it can run off the applying thread); the reading side is here.
public sealed partial class QueueStateMachine
{
    /// <summary>Current snapshot format version. A newer one is rejected on restore.</summary>
    public const byte SnapshotVersion = 1;

    internal const int TagHeader = 1;
    internal const int TagZaqarQueue = 2;
    internal const int TagClaim = 3;
    internal const int TagMessage = 4;
    internal const int TagSubscription = 5;
    internal const int TagBurrowAccount = 6;
    internal const int TagBurrowQueue = 7;
    internal const int TagBurrowMessage = 8;
    internal const int TagDedup = 9;
    internal const int TagDeadLetter = 10;

    internal static readonly MessagePackSerializerOptions ViewOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <inheritdoc />
    public void WriteSnapshot(Stream destination)
    {
        using var image = CaptureSnapshot();
        image.WriteTo(destination);
    }

    /// <summary>
    /// Freezes the replicated state into an image that can be written on another thread while this
    /// machine applies further entries (see <see cref="SnapshotImage"/>). Costs, per Zaqar queue, a
    /// copy of its message references (not of the messages: their fields are preserved
    /// copy-on-write until the image is disposed), and a copy of the small fields of every other
    /// record; message bodies are not copied: the slabs holding them are kept from reuse until the
    /// image is disposed. Call it where <see cref="Apply"/> would be called (not concurrently with it).
    /// </summary>
    public SnapshotImage CaptureSnapshot()
    {
        var zaqarQueues = new List<ZaqarQueueImage>();
        foreach (var queues in _zaqarProjects.Values)
        {
            foreach (var queue in queues.Values)
                zaqarQueues.Add(SnapshotImage.CaptureQueue(queue));
        }
        var accounts = new BurrowAccountImage[_burrowAccounts.Count];
        var i = 0;
        foreach (var account in _burrowAccounts.Values)
            accounts[i++] = SnapshotImage.CaptureAccount(account);
        _bodies.Pin();
        return new SnapshotImage(AppliedIndex, _clockMs, _seq, _outboxSeq, Options.PartitionId,
            [.. zaqarQueues], accounts, _dedup.ToArray(), [.. _outbox], _bodies, _epochs);
    }

    /// <summary>Call before changing a Zaqar message's snapshotted fields: open images keep them as they were (see <see cref="SnapshotEpochs"/>).</summary>
    private void Preserve(ZaqarMessage message) => _epochs.Preserve(message);

    ISnapshotImage IReplicatedStateMachine.CaptureSnapshot() => CaptureSnapshot();

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The snapshot is of a newer version, of another partition, or corrupt.</exception>
    public void RestoreSnapshot(Stream source)
    {
        var version = source.ReadByte();
        if (version != SnapshotVersion)
            throw new InvalidDataException($"Snapshot version {version} is not supported (this build reads version {SnapshotVersion}).");
        ClearState();
        using var frames = new FrameReader(source);
        var cursor = new RestoreCursor();
        try
        {
            while (true)
            {
                var frame = frames.Next();
                if (frame.IsEmpty)
                    break;
                var r = new MessagePackReader(frame);
                while (!r.End)
                    ReadRecord(ref r, cursor);
            }
        }
        catch (InvalidDataException)
        {
            // Never leave half a state behind: empty (applied index 0) is at least consistent.
            ClearState();
            throw;
        }
        catch (Exception ex)
        {
            ClearState();
            throw new InvalidDataException(ex is EndOfStreamException ? "Truncated snapshot." : "Corrupt snapshot.", ex);
        }
        RebuildDeadlines();
    }

    private sealed class RestoreCursor
    {
        public ZaqarQueue? Queue;
        public BurrowAccount? Account;
        public BurrowQueue? BurrowQueue;
    }

    private void ReadRecord(ref MessagePackReader r, RestoreCursor cursor)
    {
        var count = r.ReadArrayHeader();
        var tag = r.ReadInt32();
        switch (tag)
        {
            case TagHeader:
                AppliedIndex = r.ReadInt64();
                _clockMs = r.ReadInt64();
                _seq = r.ReadInt64();
                _outboxSeq = r.ReadInt64();
                var partition = r.ReadInt32();
                if (partition != Options.PartitionId)
                    throw new InvalidDataException($"Snapshot of partition {partition} restored into partition {Options.PartitionId}.");
                break;
            case TagZaqarQueue:
                cursor.Queue = AddRestoredQueue(r.ReadString()!, r.ReadString()!, r.ReadInt64(), ReadBytes(ref r));
                break;
            case TagClaim:
                RestoreClaim(ref r, cursor.Queue ?? throw Corrupt());
                break;
            case TagMessage:
                RestoreMessage(ref r, cursor.Queue ?? throw Corrupt());
                break;
            case TagSubscription:
                RestoreSubscription(ref r, cursor.Queue ?? throw Corrupt());
                break;
            case TagBurrowAccount:
                cursor.Account = new BurrowAccount(r.ReadString()!, r.ReadInt64(), r.ReadInt64());
                _burrowAccounts.Add(cursor.Account.Name, cursor.Account);
                break;
            case TagBurrowQueue:
                var account = cursor.Account ?? throw Corrupt();
                cursor.BurrowQueue = new BurrowQueue(account, r.ReadString()!, r.ReadInt64(), r.ReadInt64());
                account.Queues.Add(cursor.BurrowQueue.Name, cursor.BurrowQueue);
                break;
            case TagBurrowMessage:
                var bq = cursor.BurrowQueue ?? throw Corrupt();
                var bm = new BurrowMessage
                {
                    Seq = r.ReadInt64(),
                    Queue = bq,
                    Id = r.ReadString()!,
                    Body = ReadBytes(ref r),
                    TtlDeadlineS = r.ReadInt64(),
                    HideDeadlineS = r.ReadInt64(),
                };
                bq.Messages.Append(bm);
                bq.ById.Add(bm.Id, bm);
                _burrowMessageCount++;
                break;
            case TagDedup:
                RestoreDedup(ref r);
                break;
            case TagDeadLetter:
                var seq = r.ReadInt64();
                var letter = MessagePackSerializer.Deserialize<DeadLetterView>(ReadBytes(ref r), ViewOptions);
                AddDeadLetter(seq, letter);
                break;
            default:
                // Unknown tags cannot occur within a known version: the snapshot is corrupt.
                throw Corrupt();
        }
        _ = count;
    }

    private static InvalidDataException Corrupt() => new("Corrupt snapshot: record out of place or unknown.");

    private static byte[] ReadBytes(ref MessagePackReader r) => r.ReadBytes()?.ToArray() ?? [];

    private ZaqarQueue AddRestoredQueue(string project, string name, long createdMs, byte[] metadata)
    {
        if (!_zaqarProjects.TryGetValue(project, out var queues))
        {
            queues = new SortedDictionary<string, ZaqarQueue>(StringComparer.Ordinal);
            _zaqarProjects.Add(project, queues);
        }
        var queue = new ZaqarQueue(project, name, createdMs);
        queue.SetMetadata(metadata);
        queues.Add(name, queue);
        return queue;
    }

    private void RestoreClaim(ref MessagePackReader r, ZaqarQueue queue)
    {
        var claim = new ZaqarClaim
        {
            Seq = r.ReadInt64(),
            Queue = queue,
            CreatedMs = r.ReadInt64(),
            TtlSeconds = r.ReadInt32(),
            GraceSeconds = r.ReadInt32(),
            ExpiresMs = r.ReadInt64(),
        };
        queue.Claims.Add(claim.Seq, claim);
        _claims.Add(claim.Seq, claim);
    }

    private void RestoreMessage(ref MessagePackReader r, ZaqarQueue queue)
    {
        var seq = r.ReadInt64();
        var createdMs = r.ReadInt64();
        var ttl = r.ReadInt32();
        var expiresMs = r.ReadInt64();
        var visibleAtMs = r.ReadInt64();
        var bodyBytes = r.ReadBytes();
        var clientBytes = r.ReadBytes() ?? throw Corrupt();
        Span<byte> guid = stackalloc byte[16];
        clientBytes.CopyTo(guid);
        var claimSeq = r.ReadInt64();
        var message = new ZaqarMessage
        {
            Seq = seq,
            Queue = queue,
            CreatedMs = createdMs,
            TtlSeconds = ttl,
            ExpiresMs = expiresMs,
            VisibleAtMs = visibleAtMs,
            ClientId = new Guid(guid),
            ClaimCount = r.ReadInt32(),
            SnapshotEpoch = _epochs.Current,
        };
        StoreBody(message, bodyBytes is { IsSingleSegment: true } one ? one.FirstSpan : (bodyBytes?.ToArray() ?? []));
        if (claimSeq != 0)
        {
            var claim = _claims.GetValueOrDefault(claimSeq) ?? throw Corrupt();
            message.Claim = claim;
            claim.Messages.Add(message);
        }
        queue.Messages.Append(message);
        _zaqarMessageCount++;
    }

    private void RestoreSubscription(ref MessagePackReader r, ZaqarQueue queue)
    {
        var sub = new Subscription
        {
            Seq = r.ReadInt64(),
            Queue = queue,
            Subscriber = r.ReadString()!,
            CreatedMs = r.ReadInt64(),
            TtlSeconds = r.ReadInt32(),
            ExpiresMs = r.ReadInt64(),
            OptionsJson = ReadBytes(ref r),
            Confirmed = r.ReadBoolean(),
        };
        queue.Subscriptions.Add(sub.Seq, sub);
        _subscriptions.Add(sub.Seq, sub);
    }

    private void RestoreDedup(ref MessagePackReader r)
    {
        var idBytes = r.ReadBytes() ?? throw Corrupt();
        Span<byte> guid = stackalloc byte[16];
        idBytes.CopyTo(guid);
        var key = r.ReadString();
        var atMs = r.ReadInt64();
        var kind = (DedupKind)r.ReadByte();
        DedupEntry entry;
        if (kind == DedupKind.Object)
        {
            var result = CommandCodec.TryDecodeResult(ReadBytes(ref r)) ?? throw Corrupt();
            entry = new DedupEntry { RequestId = new Guid(guid), Key = key, AtMs = atMs, Kind = kind, Result = result };
        }
        else if (kind is DedupKind.Post or DedupKind.Code or DedupKind.Claim)
        {
            entry = new DedupEntry
            {
                RequestId = new Guid(guid),
                Key = key,
                AtMs = atMs,
                Kind = kind,
                Code = (ResultCode)r.ReadByte(),
                AppliedAtMs = r.ReadInt64(),
                PostFirstSeq = r.ReadInt64(),
                PostCount = r.ReadInt32(),
            };
        }
        else
        {
            throw Corrupt();
        }
        _dedup.Add(entry);
    }

    private void ClearState()
    {
        AppliedIndex = 0;
        _clockMs = 0;
        _seq = 0;
        _outboxSeq = 0;
        _zaqarProjects.Clear();
        _burrowAccounts.Clear();
        _dedup.Clear();
        _outbox.Clear();
        _outboxById.Clear();
        _zaqarMessageCount = 0;
        _bodies.Clear();
        _claims.Clear();
        _subscriptions.Clear();
        _burrowMessageCount = 0;
        _deadlines.Clear();
    }

    /// <inheritdoc />
    public ulong StateHash()
    {
        using var image = CaptureSnapshot();
        return SnapshotHashing.Hash(image);
    }
}
