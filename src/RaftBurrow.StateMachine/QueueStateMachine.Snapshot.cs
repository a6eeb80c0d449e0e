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
// order, never hash order), so equal states give equal bytes and equal hashes.
public sealed partial class QueueStateMachine
{
    /// <summary>Current snapshot format version. A newer one is rejected on restore.</summary>
    public const byte SnapshotVersion = 1;

    private const int TagHeader = 1;
    private const int TagZaqarQueue = 2;
    private const int TagClaim = 3;
    private const int TagMessage = 4;
    private const int TagSubscription = 5;
    private const int TagBurrowAccount = 6;
    private const int TagBurrowQueue = 7;
    private const int TagBurrowMessage = 8;
    private const int TagDedup = 9;
    private const int TagDeadLetter = 10;

    private static readonly MessagePackSerializerOptions ViewOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <inheritdoc />
    public void WriteSnapshot(Stream destination)
    {
        destination.WriteByte(SnapshotVersion);
        using var frames = new FrameWriter(destination);
        var w = new MessagePackWriter(frames);
        w.WriteArrayHeader(6);
        w.Write(TagHeader);
        w.Write(AppliedIndex);
        w.Write(_clockMs);
        w.Write(_seq);
        w.Write(_outboxSeq);
        w.Write(Options.PartitionId);
        EndRecord(ref w, frames);

        foreach (var queues in _zaqarProjects.Values)
        {
            foreach (var queue in queues.Values)
                WriteZaqarQueue(ref w, frames, queue);
        }
        foreach (var account in _burrowAccounts.Values)
        {
            w.WriteArrayHeader(4);
            w.Write(TagBurrowAccount);
            w.Write(account.Name);
            w.Write(account.CreatedMs);
            w.Write(account.CreatedIndex);
            EndRecord(ref w, frames);
            foreach (var queue in account.Queues.Values)
                WriteBurrowQueue(ref w, frames, queue);
        }
        foreach (var entry in _dedup.Entries)
            WriteDedup(ref w, frames, entry);
        foreach (var (seq, letter) in _outbox)
        {
            w.WriteArrayHeader(3);
            w.Write(TagDeadLetter);
            w.Write(seq);
            w.Write(MessagePackSerializer.Serialize(letter, ViewOptions));
            EndRecord(ref w, frames);
        }
        w.Flush();
        frames.Finish();
    }

    private static void WriteGuid(ref MessagePackWriter w, Guid value)
    {
        w.WriteBinHeader(16);
        value.TryWriteBytes(w.GetSpan(16));
        w.Advance(16);
    }

    private static void EndRecord(ref MessagePackWriter w, FrameWriter frames)
    {
        w.Flush();
        frames.MaybeEmit();
    }

    private static void WriteZaqarQueue(ref MessagePackWriter w, FrameWriter frames, ZaqarQueue queue)
    {
        w.WriteArrayHeader(5);
        w.Write(TagZaqarQueue);
        w.Write(queue.Project);
        w.Write(queue.Name);
        w.Write(queue.CreatedMs);
        w.Write(queue.MetadataJson);
        EndRecord(ref w, frames);
        foreach (var claim in queue.Claims.Values)
        {
            w.WriteArrayHeader(6);
            w.Write(TagClaim);
            w.Write(claim.Seq);
            w.Write(claim.CreatedMs);
            w.Write(claim.TtlSeconds);
            w.Write(claim.GraceSeconds);
            w.Write(claim.ExpiresMs);
            EndRecord(ref w, frames);
        }
        var list = queue.Messages;
        for (var i = list.Start; i < list.End; i++)
        {
            var m = list.At(i);
            if (m.Removed)
                continue;
            w.WriteArrayHeader(10);
            w.Write(TagMessage);
            w.Write(m.Seq);
            w.Write(m.CreatedMs);
            w.Write(m.TtlSeconds);
            w.Write(m.ExpiresMs);
            w.Write(m.VisibleAtMs);
            w.Write(m.Body);
            WriteGuid(ref w, m.ClientId);
            w.Write(m.Claim?.Seq ?? 0);
            w.Write(m.ClaimCount);
            // Flushing per record is cheap; emitting a frame happens only once per ~1 MiB.
            EndRecord(ref w, frames);
        }
        foreach (var sub in queue.Subscriptions.Values)
        {
            w.WriteArrayHeader(8);
            w.Write(TagSubscription);
            w.Write(sub.Seq);
            w.Write(sub.Subscriber);
            w.Write(sub.CreatedMs);
            w.Write(sub.TtlSeconds);
            w.Write(sub.ExpiresMs);
            w.Write(sub.OptionsJson);
            w.Write(sub.Confirmed);
            EndRecord(ref w, frames);
        }
    }

    private static void WriteBurrowQueue(ref MessagePackWriter w, FrameWriter frames, BurrowQueue queue)
    {
        w.WriteArrayHeader(4);
        w.Write(TagBurrowQueue);
        w.Write(queue.Name);
        w.Write(queue.CreatedMs);
        w.Write(queue.CreatedIndex);
        EndRecord(ref w, frames);
        var list = queue.Messages;
        for (var i = list.Start; i < list.End; i++)
        {
            var m = list.At(i);
            if (m.Removed)
                continue;
            w.WriteArrayHeader(6);
            w.Write(TagBurrowMessage);
            w.Write(m.Seq);
            w.Write(m.Id);
            w.Write(m.Body);
            w.Write(m.TtlDeadlineS);
            w.Write(m.HideDeadlineS);
            EndRecord(ref w, frames);
        }
    }

    private static void WriteDedup(ref MessagePackWriter w, FrameWriter frames, in DedupEntry entry)
    {
        w.WriteArrayHeader(entry.Kind == DedupKind.Object ? 6 : 9);
        w.Write(TagDedup);
        WriteGuid(ref w, entry.RequestId);
        w.Write(entry.Key);
        w.Write(entry.AtMs);
        w.Write((byte)entry.Kind);
        if (entry.Kind == DedupKind.Object)
        {
            w.Write(CommandCodec.EncodeResult(entry.Result!));
        }
        else
        {
            w.Write((byte)entry.Code);
            w.Write(entry.AppliedAtMs);
            w.Write(entry.PostFirstSeq);
            w.Write(entry.PostCount);
        }
        EndRecord(ref w, frames);
    }

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
        using var hashing = new HashingStream();
        WriteSnapshot(hashing);
        return hashing.Hash;
    }
}
