using RaftBurrow.StateMachine.Commands;
using RaftBurrow.StateMachine.State;

namespace RaftBurrow.StateMachine;

// Zaqar v2 claims and the dead-letter outbox.
public sealed partial class QueueStateMachine
{
    private CommandResult CreateClaim(CreateClaim c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        if (queue is null)
            return new ClaimResult(ResultCode.QueueNotFound, _clockMs, null);
        var settings = queue.Settings;
        var deadLetters = settings.MaxClaimCount is not null && settings.DeadLetterQueue is not null;
        // Candidates: oldest first, live, not claimed, not delayed (Zaqar's "active" messages).
        // Collected first: removing while scanning could compact the list under the loop.
        var candidates = SelectClaimable(queue, c.Limit);
        var claimed = new List<ZaqarMessage>(candidates.Count);
        foreach (var m in candidates)
        {
            if (deadLetters && m.ClaimCount >= settings.MaxClaimCount!.Value)
                MoveToDeadLetters(m, settings); // Zaqar moves a message that reached _max_claim_count instead of claiming it again.
            else
                claimed.Add(m);
        }
        if (claimed.Count == 0)
            return new ClaimResult(ResultCode.NoContent, _clockMs, null);

        var claim = new ZaqarClaim
        {
            Seq = NextSeq(),
            Queue = queue,
            CreatedMs = _clockMs,
            TtlSeconds = c.TtlSeconds,
            GraceSeconds = c.GraceSeconds,
            ExpiresMs = _clockMs + c.TtlSeconds * 1000L,
        };
        foreach (var m in claimed)
        {
            Preserve(m);
            m.Claim = claim;
            m.ClaimCount++;
            claim.Messages.Add(m);
        }
        ExtendMessages(claim);
        queue.Claims.Add(claim.Seq, claim);
        _claims.Add(claim.Seq, claim);
        _deadlines.Enqueue(new Deadline(claim, DeadlineKind.ZaqarClaimExpiry), claim.ExpiresMs);
        return new ClaimResult(ResultCode.Created, _clockMs, View(claim, _clockMs));
    }

    /// <summary>
    /// The answer to a retried CreateClaim: the claim with the messages it still holds, or NoContent
    /// when it is gone (released, expired, all its messages deleted).
    /// </summary>
    private ClaimResult RetriedClaim(in DedupEntry first) =>
        _claims.TryGetValue(first.PostFirstSeq, out var claim)
            ? new ClaimResult(first.Code, first.AppliedAtMs, View(claim, _clockMs))
            : new ClaimResult(ResultCode.NoContent, first.AppliedAtMs, null);

    /// <summary>Up to <paramref name="limit"/> live, unclaimed, visible messages, oldest first.</summary>
    private List<ZaqarMessage> SelectClaimable(ZaqarQueue queue, int limit)
    {
        var selected = new List<ZaqarMessage>(Math.Clamp(limit, 0, 20));
        var list = queue.Messages;
        // Start past the prefix known to be claimed (many consumers holding claims would otherwise
        // make every claim walk all their messages), and move that mark to the first unclaimed one.
        var i = queue.UnclaimedFromSeq > 0 ? list.SlotAfter(queue.UnclaimedFromSeq - 1) : list.Start;
        var prefixClaimed = true;
        for (; i < list.End && selected.Count < limit; i++)
        {
            var m = list.At(i);
            if (m.Removed || m.Claim is not null)
                continue;
            if (prefixClaimed)
            {
                queue.UnclaimedFromSeq = m.Seq;
                prefixClaimed = false;
            }
            if (m.VisibleAtMs <= _clockMs)
                selected.Add(m);
        }
        if (prefixClaimed)
            queue.UnclaimedFromSeq = _seq + 1; // everything up to the end is claimed
        return selected;
    }

    /// <summary>Claimed messages live at least until the claim expires plus its grace (Zaqar sets their ttl to ttl + grace then).</summary>
    private void ExtendMessages(ZaqarClaim claim)
    {
        var mustLiveUntilMs = claim.ExpiresMs + claim.GraceSeconds * 1000L;
        foreach (var m in claim.Messages)
        {
            if (m.ExpiresMs >= mustLiveUntilMs)
                continue;
            Preserve(m);
            m.ExpiresMs = mustLiveUntilMs;
            m.TtlSeconds = claim.TtlSeconds + claim.GraceSeconds;
            _deadlines.Enqueue(new Deadline(m, DeadlineKind.ZaqarMessageExpiry), m.ExpiresMs);
        }
    }

    private ZaqarClaim? FindClaim(ZaqarQueue queue, string id)
    {
        var seq = ParseId(id);
        return seq > 0 && _claims.TryGetValue(seq, out var claim) && ReferenceEquals(claim.Queue, queue) ? claim : null;
    }

    private CommandResult UpdateClaim(UpdateClaim c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        var claim = queue is null ? null : FindClaim(queue, c.ClaimId);
        if (claim is null)
            return Code(ResultCode.ClaimNotFound);
        claim.TtlSeconds = c.TtlSeconds;
        if (c.GraceSeconds is { } grace)
            claim.GraceSeconds = grace;
        claim.ExpiresMs = _clockMs + c.TtlSeconds * 1000L;
        _deadlines.Enqueue(new Deadline(claim, DeadlineKind.ZaqarClaimExpiry), claim.ExpiresMs);
        ExtendMessages(claim);
        return Code(ResultCode.Ok);
    }

    private CommandResult ReleaseClaim(ReleaseClaim c)
    {
        var queue = FindQueue(c.Project, c.Queue);
        var claim = queue is null ? null : FindClaim(queue, c.ClaimId);
        if (claim is not null)
            RemoveClaim(claim);
        return Code(ResultCode.Ok);
    }

    /// <summary>Drops a claim; its messages (if any) become claimable again in their place.</summary>
    private void RemoveClaim(ZaqarClaim claim)
    {
        if (claim.Messages.Count > 0)
            claim.Queue.UnclaimedFromSeq = Math.Min(claim.Queue.UnclaimedFromSeq, claim.Messages[0].Seq);
        foreach (var m in claim.Messages)
        {
            Preserve(m);
            m.Claim = null;
        }
        claim.Messages.Clear();
        claim.Removed = true;
        claim.Queue.Claims.Remove(claim.Seq);
        _claims.Remove(claim.Seq);
    }

    private void MoveToDeadLetters(ZaqarMessage m, QueueSettings settings)
    {
        var view = View(m, _clockMs);
        RemoveMessage(m);
        var letter = new DeadLetterView(m.Queue.Project, m.Queue.Name, settings.DeadLetterQueue!,
            settings.DeadLetterQueueMessagesTtlSeconds, view);
        AddDeadLetter(++_outboxSeq, letter);
    }

    private void AddDeadLetter(long outboxSeq, DeadLetterView letter)
    {
        _outbox.Add(outboxSeq, letter);
        _outboxById[letter.Message.Id] = outboxSeq;
    }

    private CommandResult CompleteDeadLetters(CompleteDeadLetters c)
    {
        foreach (var id in c.MessageIds)
        {
            if (_outboxById.Remove(id, out var seq))
                _outbox.Remove(seq);
        }
        return Code(ResultCode.Ok);
    }

    private ClaimView View(ZaqarClaim claim, long nowMs)
    {
        var id = FormatId(claim.Seq); // one string shared by the claim and its message views
        var messages = new List<MessageView>(claim.Messages.Count);
        foreach (var m in claim.Messages)
        {
            if (IsLive(m, nowMs))
                messages.Add(View(m, nowMs, id));
        }
        return new ClaimView(id, claim.CreatedMs, claim.TtlSeconds, claim.GraceSeconds, claim.ExpiresMs, [.. messages]);
    }

    /// <inheritdoc />
    public ClaimView? GetClaim(string project, string queue, string claimId, long nowMs)
    {
        var q = FindQueue(project, queue);
        var claim = q is null ? null : FindClaim(q, claimId);
        if (claim is null || claim.ExpiresMs <= nowMs)
            return null;
        var view = View(claim, nowMs);
        return view.Messages.Length == 0 ? null : view;
    }

    /// <inheritdoc />
    public IReadOnlyList<DeadLetterView> PendingDeadLetters(int limit)
    {
        var result = new List<DeadLetterView>();
        foreach (var letter in _outbox.Values)
        {
            if (result.Count >= limit)
                break;
            result.Add(letter);
        }
        return result;
    }
}
