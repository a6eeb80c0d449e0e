using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

// Burrow v1.0 (../shared/api/BURROW-V1.md): accounts > queues > messages with client-chosen ids,
// implicit creation by PUT, implicit deletion when empty, ttl/hide deadlines in whole seconds.
public sealed partial class QueueStateMachine
{
    /// <summary>floor(clock / 1000): Burrow works in whole seconds.</summary>
    private long NowSeconds => _clockMs >= 0 ? _clockMs / 1000 : (_clockMs - 999) / 1000;

    /// <summary>Longest Burrow ttl/hide honoured (about 317 years): deadlines stay far from overflowing when turned into ms.</summary>
    private const long MaxBurrowSeconds = 10_000_000_000;

    /// <summary>Stored value for an attribute of N seconds: N &gt; 0 → deadline floor(now_s) + N; 0 → 0; negative → kept as is (Burrow's quirk).</summary>
    private long DeadlineSeconds(long seconds) =>
        seconds > 0 ? NowSeconds + Math.Min(seconds, MaxBurrowSeconds) : Math.Max(seconds, -MaxBurrowSeconds);

    private static bool IsHidden(BurrowMessage m, long nowMs) =>
        m.HideDeadlineS != 0 && !(m.HideDeadlineS > 0 && m.HideDeadlineS * 1000 <= nowMs);

    private static bool IsExpired(BurrowMessage m, long nowMs) => m.TtlDeadlineS > 0 && m.TtlDeadlineS * 1000 <= nowMs;

    private static long ShownHide(BurrowMessage m, long nowMs) => IsHidden(m, nowMs) ? m.HideDeadlineS : 0;

    private static BurrowMessageView View(BurrowMessage m, long nowMs) => new(m.Id, m.Body, m.TtlDeadlineS, ShownHide(m, nowMs));

    private void TrackBurrowDeadlines(BurrowMessage m)
    {
        if (m.TtlDeadlineS > 0)
            _deadlines.Enqueue(new Deadline(m, DeadlineKind.BurrowTtl), m.TtlDeadlineS * 1000);
        if (m.HideDeadlineS > 0)
            _deadlines.Enqueue(new Deadline(m, DeadlineKind.BurrowHide), m.HideDeadlineS * 1000);
    }

    private CommandResult BurrowPut(BurrowPutMessage c, long index)
    {
        var queue = FindBurrowQueue(c.Project, c.Queue);
        if (queue is not null && queue.ById.TryGetValue(c.MessageId, out var existing))
        {
            // Replace in place: the position is kept, every attribute takes the command's value.
            existing.Body = c.Body;
            existing.TtlDeadlineS = DeadlineSeconds(c.TtlSeconds);
            existing.HideDeadlineS = DeadlineSeconds(c.HideSeconds);
            MayBeVisible(existing);
            TrackBurrowDeadlines(existing);
            return new BurrowMessagesResult(ResultCode.Ok, _clockMs, []);
        }
        if (queue is null)
        {
            if (!_burrowAccounts.TryGetValue(c.Project, out var account))
            {
                account = new BurrowAccount(c.Project, _clockMs, index);
                _burrowAccounts.Add(c.Project, account);
            }
            queue = new BurrowQueue(account, c.Queue, _clockMs, index);
            account.Queues.Add(c.Queue, queue);
        }
        var message = new BurrowMessage
        {
            Seq = NextSeq(),
            Queue = queue,
            Id = c.MessageId,
            Body = c.Body,
            TtlDeadlineS = DeadlineSeconds(c.TtlSeconds),
            HideDeadlineS = DeadlineSeconds(c.HideSeconds),
        };
        queue.Messages.Append(message);
        queue.ById.Add(message.Id, message);
        _burrowMessageCount++;
        TrackBurrowDeadlines(message);
        return new BurrowMessagesResult(ResultCode.Created, _clockMs, []);
    }

    private BurrowQueue? FindBurrowQueue(string account, string queue) =>
        _burrowAccounts.TryGetValue(account, out var a) && a.Queues.TryGetValue(queue, out var q) ? q : null;

    /// <summary>The queue, or the NotFound level that is missing (at the machine's clock every stored queue is live).</summary>
    private (ResultCode Code, BurrowQueue? Queue) LocateBurrowQueue(string account, string queue)
    {
        if (!_burrowAccounts.TryGetValue(account, out var a))
            return (ResultCode.AccountNotFound, null);
        return a.Queues.TryGetValue(queue, out var q) ? (ResultCode.Ok, q) : (ResultCode.QueueNotFound, null);
    }

    /// <summary>
    /// <see cref="Select"/> at the machine's clock, for commands: the common worker selection (no
    /// marker, visible only) starts past the prefix known to be hidden and moves that mark.
    /// </summary>
    private List<BurrowMessage> SelectNow(BurrowQueue queue, BurrowSelector selector)
    {
        if (selector.Marker is not null || selector.MatchHidden)
            return Select(queue, selector, _clockMs);
        var limit = selector.Limit is > 0 ? selector.Limit.Value : int.MaxValue;
        var list = queue.Messages;
        var selected = new List<BurrowMessage>();
        var prefixHidden = true;
        for (var i = queue.VisibleFromSeq > 0 ? list.SlotAfter(queue.VisibleFromSeq - 1) : list.Start; i < list.End && selected.Count < limit; i++)
        {
            var m = list.At(i);
            if (m.Removed || IsHidden(m, _clockMs))
                continue;
            if (prefixHidden)
            {
                queue.VisibleFromSeq = m.Seq;
                prefixHidden = false;
            }
            selected.Add(m);
        }
        if (prefixHidden)
            queue.VisibleFromSeq = _seq + 1;
        return selected;
    }

    /// <summary>A message may have become visible: the hidden-prefix hint must not skip it.</summary>
    private static void MayBeVisible(BurrowMessage m) =>
        m.Queue.VisibleFromSeq = Math.Min(m.Queue.VisibleFromSeq, m.Seq);

    /// <summary>Messages matched by a selector in queue order, for a given now (hidden/expired filtered by it).</summary>
    private static List<BurrowMessage> Select(BurrowQueue queue, BurrowSelector selector, long nowMs)
    {
        var limit = selector.Limit is > 0 ? selector.Limit.Value : int.MaxValue;
        var list = queue.Messages;
        var start = list.Start;
        if (selector.Marker is not null && queue.ById.TryGetValue(selector.Marker, out var marker) && !IsExpired(marker, nowMs))
            start = list.SlotAfter(marker.Seq);
        var selected = new List<BurrowMessage>();
        for (var i = start; i < list.End && selected.Count < limit; i++)
        {
            var m = list.At(i);
            if (m.Removed || IsExpired(m, nowMs) || (!selector.MatchHidden && IsHidden(m, nowMs)))
                continue;
            selected.Add(m);
        }
        return selected;
    }

    private CommandResult BurrowUpdateMessages(BurrowUpdateMessages c)
    {
        var (code, queue) = LocateBurrowQueue(c.Project, c.Queue);
        if (queue is null)
            return new BurrowMessagesResult(code, _clockMs, []);
        var selected = SelectNow(queue, c.Selector);
        if (selected.Count == 0)
            return new BurrowMessagesResult(ResultCode.MessageNotFound, _clockMs, []);
        var views = new BurrowMessageView[selected.Count];
        for (var i = 0; i < views.Length; i++)
        {
            Update(selected[i], c.TtlSeconds, c.HideSeconds);
            views[i] = View(selected[i], _clockMs);
        }
        return new BurrowMessagesResult(ResultCode.Ok, _clockMs, views);
    }

    private void Update(BurrowMessage m, long? ttlSeconds, long? hideSeconds)
    {
        if (ttlSeconds is { } ttl)
            m.TtlDeadlineS = DeadlineSeconds(ttl);
        if (hideSeconds is { } hide)
        {
            m.HideDeadlineS = DeadlineSeconds(hide);
            MayBeVisible(m);
        }
        if (ttlSeconds is not null || hideSeconds is not null)
            TrackBurrowDeadlines(m);
    }

    private CommandResult BurrowUpdateMessage(BurrowUpdateMessage c)
    {
        var (code, queue) = LocateBurrowQueue(c.Project, c.Queue);
        if (queue is null)
            return new BurrowMessagesResult(code, _clockMs, []);
        if (!queue.ById.TryGetValue(c.MessageId, out var m))
            return new BurrowMessagesResult(ResultCode.MessageNotFound, _clockMs, []);
        Update(m, c.TtlSeconds, c.HideSeconds);
        return new BurrowMessagesResult(ResultCode.Ok, _clockMs, [View(m, _clockMs)]);
    }

    private CommandResult BurrowDeleteMessages(BurrowDeleteMessages c)
    {
        var (code, queue) = LocateBurrowQueue(c.Project, c.Queue);
        if (queue is null)
            return new BurrowMessagesResult(code, _clockMs, []);
        var selected = SelectNow(queue, c.Selector);
        if (selected.Count == 0)
            return new BurrowMessagesResult(ResultCode.MessageNotFound, _clockMs, []);
        var views = new BurrowMessageView[selected.Count];
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = View(selected[i], _clockMs);
            RemoveBurrowMessage(selected[i]);
        }
        return new BurrowMessagesResult(ResultCode.Ok, _clockMs, views);
    }

    private CommandResult BurrowDeleteMessage(BurrowDeleteMessage c)
    {
        var (code, queue) = LocateBurrowQueue(c.Project, c.Queue);
        if (queue is null)
            return new BurrowMessagesResult(code, _clockMs, []);
        if (!queue.ById.TryGetValue(c.MessageId, out var m))
            return new BurrowMessagesResult(ResultCode.MessageNotFound, _clockMs, []);
        var view = View(m, _clockMs);
        RemoveBurrowMessage(m);
        return new BurrowMessagesResult(ResultCode.Ok, _clockMs, [view]);
    }

    private CommandResult BurrowDeleteQueue(BurrowDeleteQueue c)
    {
        var (code, queue) = LocateBurrowQueue(c.Project, c.Queue);
        if (queue is null)
            return Code(code);
        RemoveBurrowQueue(queue);
        return Code(ResultCode.Ok);
    }

    private CommandResult BurrowDeleteAccount(BurrowDeleteAccount c)
    {
        if (!_burrowAccounts.TryGetValue(c.Project, out var account))
            return Code(ResultCode.AccountNotFound);
        var queues = account.Queues.Values.ToArray();
        foreach (var queue in queues)
            RemoveBurrowQueue(queue);
        return Code(ResultCode.Ok);
    }

    /// <summary>Removes a message; an emptied queue goes, then an emptied account.</summary>
    private void RemoveBurrowMessage(BurrowMessage m)
    {
        m.Removed = true;
        var queue = m.Queue;
        queue.ById.Remove(m.Id);
        queue.Messages.OnRemoved();
        _burrowMessageCount--;
        if (queue.Messages.LiveCount == 0)
            RemoveBurrowQueue(queue);
    }

    private void RemoveBurrowQueue(BurrowQueue queue)
    {
        var list = queue.Messages;
        for (var i = list.Start; i < list.End; i++)
        {
            var m = list.At(i);
            if (!m.Removed)
            {
                m.Removed = true;
                _burrowMessageCount--;
            }
        }
        list.Clear();
        queue.ById.Clear();
        var account = queue.Account;
        account.Queues.Remove(queue.Name);
        if (account.Queues.Count == 0)
            _burrowAccounts.Remove(account.Name);
    }

    // ---- queries ----

    private static bool HasLiveMessage(BurrowQueue queue, long nowMs)
    {
        var list = queue.Messages;
        for (var i = list.Start; i < list.End; i++)
        {
            var m = list.At(i);
            if (!m.Removed && !IsExpired(m, nowMs))
                return true;
        }
        return false;
    }

    /// <inheritdoc />
    public IReadOnlyList<BurrowNameView> BurrowListAccounts(long nowMs)
    {
        // Insertion order is creation order: an account that vanished and came back was appended.
        var result = new List<BurrowNameView>();
        foreach (var account in _burrowAccounts.Values)
        {
            foreach (var queue in account.Queues.Values)
            {
                if (HasLiveMessage(queue, nowMs))
                {
                    result.Add(new BurrowNameView(account.Name, account.CreatedMs, account.CreatedIndex));
                    break;
                }
            }
        }
        return result;
    }

    /// <inheritdoc />
    public IReadOnlyList<BurrowNameView> BurrowListQueues(string account, long nowMs)
    {
        var result = new List<BurrowNameView>();
        if (!_burrowAccounts.TryGetValue(account, out var a))
            return result;
        foreach (var queue in a.Queues.Values)
        {
            if (HasLiveMessage(queue, nowMs))
                result.Add(new BurrowNameView(queue.Name, queue.CreatedMs, queue.CreatedIndex));
        }
        return result;
    }

    /// <summary>The queue as seen at <paramref name="nowMs"/>: AccountNotFound when no queue of the account has a live message.</summary>
    private (ResultCode Code, BurrowQueue? Queue) LocateBurrowQueue(string account, string queue, long nowMs)
    {
        if (!_burrowAccounts.TryGetValue(account, out var a))
            return (ResultCode.AccountNotFound, null);
        if (a.Queues.TryGetValue(queue, out var q) && HasLiveMessage(q, nowMs))
            return (ResultCode.Ok, q);
        foreach (var other in a.Queues.Values)
        {
            if (HasLiveMessage(other, nowMs))
                return (ResultCode.QueueNotFound, null);
        }
        return (ResultCode.AccountNotFound, null);
    }

    /// <inheritdoc />
    public (ResultCode Code, IReadOnlyList<BurrowMessageView> Messages) BurrowListMessages(string account, string queue, BurrowSelector selector, long nowMs)
    {
        var (code, q) = LocateBurrowQueue(account, queue, nowMs);
        if (q is null)
            return (code, []);
        var selected = Select(q, selector, nowMs);
        if (selected.Count == 0)
            return (ResultCode.MessageNotFound, []);
        return (ResultCode.Ok, selected.ConvertAll(m => View(m, nowMs)));
    }

    /// <inheritdoc />
    public (ResultCode Code, BurrowMessageView? Message) BurrowGetMessage(string account, string queue, string messageId, long nowMs)
    {
        var (code, q) = LocateBurrowQueue(account, queue, nowMs);
        if (q is null)
            return (code, null);
        return q.ById.TryGetValue(messageId, out var m) && !IsExpired(m, nowMs)
            ? (ResultCode.Ok, View(m, nowMs))
            : (ResultCode.MessageNotFound, null);
    }
}
