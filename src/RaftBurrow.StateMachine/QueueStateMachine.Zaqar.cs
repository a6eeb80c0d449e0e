using System.Globalization;
using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

// Zaqar v2 queues and messages: commands and queries.
public sealed partial class QueueStateMachine
{
    private ZaqarQueue? FindQueue(string project, string queue) =>
        _zaqarProjects.TryGetValue(project, out var queues) && queues.TryGetValue(queue, out var q) ? q : null;

    private ZaqarQueue AddQueue(string project, string name)
    {
        if (!_zaqarProjects.TryGetValue(project, out var queues))
        {
            queues = new SortedDictionary<string, ZaqarQueue>(StringComparer.Ordinal);
            _zaqarProjects.Add(project, queues);
        }
        var queue = new ZaqarQueue(project, name, _clockMs);
        queues.Add(name, queue);
        return queue;
    }

    private CommandResult CreateQueue(CreateQueue c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        var code = ResultCode.Ok;
        if (queue is null)
        {
            queue = AddQueue(c.Project, c.Queue);
            code = ResultCode.Created;
        }
        queue.SetMetadata(c.MetadataJson);
        return new MetadataResult(code, _clockMs, queue.MetadataJson);
    }

    private CommandResult ReplaceQueueMetadata(ReplaceQueueMetadata c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return new MetadataResult(ResultCode.QueueNotFound, _clockMs, []);
        queue.SetMetadata(c.MetadataJson);
        return new MetadataResult(ResultCode.Ok, _clockMs, queue.MetadataJson);
    }

    private CommandResult PatchQueueMetadata(PatchQueueMetadata c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return new MetadataResult(ResultCode.QueueNotFound, _clockMs, []);
        var patched = MetadataPatch.TryApply(queue.MetadataJson, c.Ops);
        if (patched is null)
            return new MetadataResult(ResultCode.InvalidPatch, _clockMs, []);
        queue.SetMetadata(patched);
        return new MetadataResult(ResultCode.Ok, _clockMs, queue.MetadataJson);
    }

    private CommandResult DeleteQueue(DeleteQueue c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return Code(ResultCode.Ok);
        RemoveAllMessages(queue);
        RemoveAllSubscriptions(queue);
        var queues = _zaqarProjects[c.Project];
        queues.Remove(c.Queue);
        if (queues.Count == 0)
            _zaqarProjects.Remove(c.Project);
        return Code(ResultCode.Ok);
    }

    private CommandResult PurgeQueue(PurgeQueue c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return Code(ResultCode.QueueNotFound);
        if (c.Messages)
            RemoveAllMessages(queue);
        if (c.Subscriptions)
            RemoveAllSubscriptions(queue);
        return Code(ResultCode.Ok);
    }

    private void RemoveAllMessages(ZaqarQueue queue)
    {
        var list = queue.Messages;
        for (var i = list.Start; i < list.End; i++)
        {
            var m = list.At(i);
            if (m.Removed)
                continue;
            Preserve(m);
            m.Removed = true;
            m.Claim = null;
            _zaqarMessageCount--;
            _bodies.Free(m.BodySlab, m.BodyLength);
        }
        list.Clear();
        foreach (var claim in queue.Claims.Values)
        {
            claim.Removed = true;
            claim.Messages.Clear();
            _claims.Remove(claim.Seq);
        }
        queue.Claims.Clear();
    }

    private CommandResult PostMessages(PostMessages c)
    {
        var batch = _postScratch;
        batch.Clear();
        foreach (var m in c.Messages)
            batch.Add(new PostedMessage(m.TtlSeconds, m.DelaySeconds, m.BodyJson));
        return PostMessages(c.Project, c.Queue, c.ClientId, c.IdempotencyKey, batch);
    }

    /// <summary>The post itself, shared by the decoded command and the hot path that reads the entry bytes directly.</summary>
    private CommandResult PostMessages(string project, string queueName, Guid clientId, string? idempotencyKey, List<PostedMessage> messages)
    {
        string? key = null;
        if (idempotencyKey is not null)
        {
            key = DedupTable.IdempotencyKey(project, queueName, idempotencyKey);
            if (_dedup.TryGetKey(key, out var first))
                return first.Materialize(Options.PartitionId);
        }
        var queue = FindQueue(project, queueName);
        var settings = queue?.Settings ?? QueueSettings.None;
        if (settings.MaxMessagesPostSizeBytes is { } maxBytes)
        {
            long bytes = 0;
            foreach (var m in messages)
                bytes += m.Body.Length;
            if (bytes > maxBytes)
                return new PostMessagesResult(ResultCode.PostTooLarge, _clockMs, []);
        }
        var max = Options.MaxMessagesPerQueue;
        if (max > 0 && (long)(queue?.Messages.LiveCount ?? 0) + messages.Count > max)
            return new PostMessagesResult(ResultCode.QuotaExceeded, _clockMs, []);
        queue ??= AddQueue(project, queueName);

        var defaultTtl = settings.DefaultMessageTtlSeconds ?? Options.DefaultMessageTtlSeconds;
        var defaultDelay = settings.DefaultMessageDelaySeconds ?? Options.DefaultMessageDelaySeconds;
        var ids = new string[messages.Count];
        var firstSeq = _seq + 1;
        for (var i = 0; i < ids.Length; i++)
        {
            var posted = messages[i];
            var ttl = posted.TtlSeconds ?? defaultTtl;
            var delay = posted.DelaySeconds ?? defaultDelay;
            var message = new ZaqarMessage
            {
                Seq = NextSeq(),
                Queue = queue,
                CreatedMs = _clockMs,
                TtlSeconds = ttl,
                ExpiresMs = _clockMs + ttl * 1000L,
                VisibleAtMs = _clockMs + Math.Max(0, delay) * 1000L,
                ClientId = clientId,
                SnapshotEpoch = _epochs.Current,
            };
            StoreBody(message, posted.Body.Span);
            queue.Messages.Append(message);
            _zaqarMessageCount++;
            _deadlines.Enqueue(new Deadline(message, DeadlineKind.ZaqarMessageExpiry), message.ExpiresMs);
            if (message.VisibleAtMs > _clockMs)
                _deadlines.Enqueue(new Deadline(message, DeadlineKind.ZaqarMessageVisible), message.VisibleAtMs);
            ids[i] = FormatId(message.Seq);
        }
        _pendingKey = key;
        _pendingPostFirstSeq = firstSeq;
        _pendingPostCount = messages.Count;
        return new PostMessagesResult(ResultCode.Created, _clockMs, ids);
    }

    /// <summary>Gives a message being created its body (no <see cref="Preserve"/>: no image holds it yet).</summary>
    private void StoreBody(ZaqarMessage message, ReadOnlySpan<byte> body)
    {
        (message.BodySlab, message.BodyOffset) = _bodies.Add(body);
        message.BodyLength = body.Length;
    }

    /// <summary>Copies every live body into fresh slabs so slabs pinned by a few old bodies can go.</summary>
    private void CompactBodies()
    {
        var fresh = new BodyStore();
        foreach (var queues in _zaqarProjects.Values)
        {
            foreach (var queue in queues.Values)
            {
                var list = queue.Messages;
                for (var i = list.Start; i < list.End; i++)
                {
                    var m = list.At(i);
                    if (!m.Removed)
                    {
                        // Compaction waits while an image is open (Finish), so this saves nothing
                        // today; it keeps the rule that every change of these fields is preserved.
                        Preserve(m);
                        (m.BodySlab, m.BodyOffset) = fresh.Add(m.Body);
                    }
                }
            }
        }
        _bodies = fresh;
    }

    /// <summary>The live message of <paramref name="queue"/> with this id, or null.</summary>
    private ZaqarMessage? FindMessage(ZaqarQueue queue, string id)
    {
        var seq = ParseId(id);
        return seq > 0 ? queue.Messages.Find(seq) : null;
    }

    private CommandResult DeleteMessage(DeleteMessage c)
    {
        // Zaqar: a missing queue or message is not an error (204).
        var queue = FindQueue(c.Project, c.Queue);
        var message = queue is null ? null : FindMessage(queue, c.MessageId);
        if (message is null)
            return Code(ResultCode.Ok);
        if (c.ClaimId is null)
        {
            if (message.Claim is not null)
                return Code(ResultCode.ClaimMismatch);
        }
        else if (message.Claim is null)
        {
            return Code(ResultCode.MessageNotClaimed);
        }
        else if (message.Claim.Seq != ParseId(c.ClaimId))
        {
            return Code(ResultCode.ClaimMismatch);
        }
        RemoveMessage(message);
        return Code(ResultCode.Ok);
    }

    private CommandResult DeleteMessages(DeleteMessages c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return Code(ResultCode.Ok);
        foreach (var id in c.MessageIds)
        {
            var message = FindMessage(queue, id);
            if (message is not null)
                RemoveMessage(message);
        }
        return Code(ResultCode.Ok);
    }

    private CommandResult PopMessages(PopMessages c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return new MessagesResult(ResultCode.QueueNotFound, _clockMs, []);
        var selected = SelectClaimable(queue, c.Limit);
        var popped = new MessageView[selected.Count];
        for (var i = 0; i < popped.Length; i++)
        {
            popped[i] = View(selected[i], _clockMs);
            RemoveMessage(selected[i]);
        }
        return new MessagesResult(popped.Length == 0 ? ResultCode.NoContent : ResultCode.Ok, _clockMs, popped);
    }

    /// <summary>Removes a live message from its queue, its claim (dropping the claim when it empties) and the indexes.</summary>
    private void RemoveMessage(ZaqarMessage message)
    {
        Preserve(message);
        message.Removed = true;
        _zaqarMessageCount--;
        _bodies.Free(message.BodySlab, message.BodyLength);
        if (message.Claim is { } claim)
        {
            message.Claim = null;
            claim.Messages.Remove(message);
            if (claim.Messages.Count == 0)
                RemoveClaim(claim);
        }
        message.Queue.Messages.OnRemoved();
    }

    // ---- views and queries ----

    private MessageView View(ZaqarMessage m, long nowMs, string? claimId = null)
    {
        var claim = m.Claim is { } c && c.ExpiresMs > nowMs ? c : null;
        return new MessageView(FormatId(m.Seq), m.CreatedMs, m.TtlSeconds, m.ExpiresMs, m.Body.ToArray(), m.ClientId,
            claim is null ? null : claimId ?? FormatId(claim.Seq), m.ClaimCount, m.VisibleAtMs);
    }

    private static bool IsLive(ZaqarMessage m, long nowMs) => !m.Removed && m.ExpiresMs > nowMs;

    private static bool IsClaimed(ZaqarMessage m, long nowMs) => m.Claim is { } c && c.ExpiresMs > nowMs;

    private static QueueView View(ZaqarQueue q) => new(q.Name, q.CreatedMs, q.MetadataJson);

    /// <inheritdoc />
    public QueueView? GetQueue(string project, string queue) =>
        FindQueue(project, queue) is { } q ? View(q) : null;

    /// <inheritdoc />
    public IReadOnlyList<QueueView> ListQueues(string project, string? marker, int limit)
    {
        var result = new List<QueueView>();
        if (limit <= 0 || !_zaqarProjects.TryGetValue(project, out var queues))
            return result;
        foreach (var (name, queue) in queues)
        {
            if (marker is not null && string.CompareOrdinal(name, marker) <= 0)
                continue;
            result.Add(View(queue));
            if (result.Count == limit)
                break;
        }
        return result;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListProjects(string? marker, int limit)
    {
        var result = new List<string>();
        if (limit <= 0)
            return result;
        foreach (var (project, queues) in _zaqarProjects)
        {
            // A project whose last queue was deleted may keep its (empty) entry: it has no queues to report.
            if (queues.Count == 0 || (marker is not null && string.CompareOrdinal(project, marker) <= 0))
                continue;
            result.Add(project);
            if (result.Count == limit)
                break;
        }
        return result;
    }

    /// <inheritdoc />
    public int CountQueues(string project) =>
        _zaqarProjects.TryGetValue(project, out var queues) ? queues.Count : 0;

    /// <inheritdoc />
    public QueueStatsView? GetQueueStats(string project, string queue, long nowMs)
    {
        var q = FindQueue(project, queue);
        if (q is null)
            return null;
        int total = 0, claimed = 0;
        ZaqarMessage? oldest = null, newest = null;
        var list = q.Messages;
        for (var i = list.Start; i < list.End; i++)
        {
            var m = list.At(i);
            if (!IsLive(m, nowMs))
                continue;
            total++;
            if (IsClaimed(m, nowMs))
                claimed++;
            oldest ??= m;
            newest = m;
        }
        return new QueueStatsView(total, claimed, total - claimed,
            oldest is null ? null : View(oldest, nowMs), newest is null ? null : View(newest, nowMs));
    }

    /// <inheritdoc />
    public MessagePage? ListMessages(string project, string queue, ListMessagesOptions options, long nowMs)
    {
        var q = FindQueue(project, queue);
        if (q is null)
            return null;
        var list = q.Messages;
        var start = list.Start;
        if (options.Marker is not null && long.TryParse(options.Marker, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            start = list.SlotAfter(after);
        var page = new List<MessageView>(Math.Clamp(options.Limit, 0, 100));
        long lastSeq = -1;
        for (var i = start; i < list.End && page.Count < options.Limit; i++)
        {
            var m = list.At(i);
            if (!IsLive(m, nowMs)
                || (!options.IncludeDelayed && m.VisibleAtMs > nowMs)
                || (!options.IncludeClaimed && IsClaimed(m, nowMs))
                || (!options.Echo && m.ClientId == options.ClientId))
                continue;
            page.Add(View(m, nowMs));
            lastSeq = m.Seq;
        }
        var next = lastSeq >= 0 ? lastSeq.ToString(CultureInfo.InvariantCulture) : options.Marker;
        return new MessagePage(page, next);
    }

    /// <inheritdoc />
    public MessageView? GetMessage(string project, string queue, string messageId, long nowMs)
    {
        var q = FindQueue(project, queue);
        var m = q is null ? null : FindMessage(q, messageId);
        return m is not null && IsLive(m, nowMs) ? View(m, nowMs) : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<MessageView> GetMessages(string project, string queue, IReadOnlyList<string> messageIds, long nowMs)
    {
        var q = FindQueue(project, queue);
        if (q is null)
            return [];
        var found = new List<ZaqarMessage>(messageIds.Count);
        var seen = new HashSet<long>();
        foreach (var id in messageIds)
        {
            var m = FindMessage(q, id);
            if (m is not null && IsLive(m, nowMs) && seen.Add(m.Seq))
                found.Add(m);
        }
        found.Sort(static (a, b) => a.Seq.CompareTo(b.Seq));
        return found.ConvertAll(m => View(m, nowMs));
    }
}
