using System.Text;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.Tests.Support;

/// <summary>
/// A deliberately naive model of the state machine's observable behaviour: lists scanned linearly,
/// time applied by filtering everything at each command. Property tests compare it with the real
/// machine over random command sequences. It covers one Zaqar project with two queues and one
/// Burrow account with two queues.
/// </summary>
internal sealed class NaiveModel
{
    public const int PartitionId = 3;
    public static readonly string[] ZaqarQueues = ["a", "b"];
    public static readonly string[] BurrowQueues = ["q1", "q2"];
    public static readonly string[] BurrowIds = ["m1", "m2", "m3", "m4"];

    private sealed class Msg
    {
        public long Seq; public string Queue = ""; public string Body = ""; public int Ttl; public long Expires; public long Visible;
        public long? Claim; public int ClaimCount;
    }

    private sealed class Claim
    {
        public long Seq; public string Queue = ""; public long Expires; public int Ttl; public int Grace;
    }

    private sealed class BMsg
    {
        public string Queue = ""; public string Id = ""; public string Body = ""; public long Ttl; public long Hide;
    }

    private readonly List<Msg> _messages = [];
    private readonly Dictionary<long, Claim> _claims = [];
    private readonly HashSet<string> _queues = [];
    private readonly List<BMsg> _burrow = [];
    private long _seq;

    public long ClockMs { get; private set; }

    /// <summary>Every id ever handed out (messages and claims), for generating references to them.</summary>
    public List<string> MessageIds { get; } = [];

    public List<string> ClaimIds { get; } = [];

    public static string Id(long seq) => PartitionId.ToString("x8") + seq.ToString("x16");

    private static long Seq(string? id) => id is { Length: 24 } && id.StartsWith(PartitionId.ToString("x8"), StringComparison.Ordinal) ? Convert.ToInt64(id[8..], 16) : -1;

    private long NowS => ClockMs / 1000;

    private void Tick(long timestampMs)
    {
        ClockMs = Math.Max(ClockMs, timestampMs);
        _messages.RemoveAll(m => m.Expires <= ClockMs);
        foreach (var c in _claims.Values.Where(c => c.Expires <= ClockMs).ToList())
            DropClaim(c.Seq);
        DropEmptyClaims();
        _burrow.RemoveAll(b => b.Ttl > 0 && b.Ttl * 1000 <= ClockMs);
        foreach (var b in _burrow.Where(b => b.Hide > 0 && b.Hide * 1000 <= ClockMs))
            b.Hide = 0;
    }

    private void DropClaim(long seq)
    {
        _claims.Remove(seq);
        foreach (var m in _messages.Where(m => m.Claim == seq))
            m.Claim = null;
    }

    private void DropEmptyClaims()
    {
        foreach (var c in _claims.Values.Where(c => !_messages.Any(m => m.Claim == c.Seq)).ToList())
            _claims.Remove(c.Seq);
    }

    private List<Msg> Claimable(string queue, int limit) =>
        _messages.Where(m => m.Queue == queue && m.Claim is null && m.Visible <= ClockMs).Take(limit).ToList();

    /// <summary>Applies a command and returns what the real machine must answer: the code and the ids it names.</summary>
    public (ResultCode Code, string[] Ids) Apply(long timestampMs, Command command)
    {
        Tick(timestampMs);
        switch (command)
        {
            case PostMessages c:
            {
                _queues.Add(c.Queue);
                var ids = new List<string>();
                foreach (var n in c.Messages)
                {
                    var ttl = n.TtlSeconds ?? 3600;
                    var m = new Msg { Seq = ++_seq, Queue = c.Queue, Body = Encoding.UTF8.GetString(n.BodyJson), Ttl = ttl, Expires = ClockMs + ttl * 1000L, Visible = ClockMs + (n.DelaySeconds ?? 0) * 1000L };
                    _messages.Add(m);
                    ids.Add(Id(m.Seq));
                }
                MessageIds.AddRange(ids);
                return (ResultCode.Created, ids.ToArray());
            }
            case CreateClaim c:
            {
                if (!_queues.Contains(c.Queue))
                    return (ResultCode.QueueNotFound, []);
                var taken = Claimable(c.Queue, c.Limit);
                if (taken.Count == 0)
                    return (ResultCode.NoContent, []);
                var claim = new Claim { Seq = ++_seq, Queue = c.Queue, Ttl = c.TtlSeconds, Grace = c.GraceSeconds, Expires = ClockMs + c.TtlSeconds * 1000L };
                _claims.Add(claim.Seq, claim);
                ClaimIds.Add(Id(claim.Seq));
                foreach (var m in taken)
                {
                    m.Claim = claim.Seq;
                    m.ClaimCount++;
                    Extend(m, claim);
                }
                return (ResultCode.Created, [Id(claim.Seq), .. taken.Select(m => Id(m.Seq))]);
            }
            case UpdateClaim c:
            {
                if (!_claims.TryGetValue(Seq(c.ClaimId), out var claim) || claim.Queue != c.Queue)
                    return (ResultCode.ClaimNotFound, []);
                claim.Ttl = c.TtlSeconds;
                claim.Grace = c.GraceSeconds ?? claim.Grace;
                claim.Expires = ClockMs + c.TtlSeconds * 1000L;
                foreach (var m in _messages.Where(m => m.Claim == claim.Seq))
                    Extend(m, claim);
                return (ResultCode.Ok, []);
            }
            case ReleaseClaim c:
                if (_claims.TryGetValue(Seq(c.ClaimId), out var released) && released.Queue == c.Queue)
                    DropClaim(released.Seq);
                return (ResultCode.Ok, []);
            case DeleteMessage c:
            {
                var m = _messages.FirstOrDefault(m => m.Queue == c.Queue && m.Seq == Seq(c.MessageId));
                if (m is null)
                    return (ResultCode.Ok, []);
                if (c.ClaimId is null && m.Claim is not null)
                    return (ResultCode.ClaimMismatch, []);
                if (c.ClaimId is not null && m.Claim is null)
                    return (ResultCode.MessageNotClaimed, []);
                if (c.ClaimId is not null && m.Claim != Seq(c.ClaimId))
                    return (ResultCode.ClaimMismatch, []);
                _messages.Remove(m);
                DropEmptyClaims();
                return (ResultCode.Ok, []);
            }
            case PopMessages c:
            {
                if (!_queues.Contains(c.Queue))
                    return (ResultCode.QueueNotFound, []);
                var taken = Claimable(c.Queue, c.Limit);
                _messages.RemoveAll(taken.Contains);
                return (taken.Count == 0 ? ResultCode.NoContent : ResultCode.Ok, taken.Select(m => Id(m.Seq)).ToArray());
            }
            case DeleteQueue c:
                _queues.Remove(c.Queue);
                _messages.RemoveAll(m => m.Queue == c.Queue);
                foreach (var claim in _claims.Values.Where(x => x.Queue == c.Queue).ToList())
                    _claims.Remove(claim.Seq);
                return (ResultCode.Ok, []);
            case Expire:
                return (ResultCode.Ok, []);
            case BurrowPutMessage c:
            {
                var existing = _burrow.FirstOrDefault(b => b.Queue == c.Queue && b.Id == c.MessageId);
                var fresh = existing is null;
                existing ??= new BMsg { Queue = c.Queue, Id = c.MessageId };
                existing.Body = Encoding.UTF8.GetString(c.Body);
                existing.Ttl = c.TtlSeconds > 0 ? NowS + c.TtlSeconds : 0;
                existing.Hide = c.HideSeconds > 0 ? NowS + c.HideSeconds : 0;
                if (fresh)
                {
                    _burrow.Add(existing);
                    _seq++;
                }
                return (fresh ? ResultCode.Created : ResultCode.Ok, []);
            }
            case BurrowUpdateMessages c:
            {
                var (code, selected) = BurrowSelect(c.Queue, c.Selector);
                foreach (var b in selected)
                {
                    if (c.TtlSeconds is { } ttl)
                        b.Ttl = ttl > 0 ? NowS + ttl : 0;
                    if (c.HideSeconds is { } hide)
                        b.Hide = hide > 0 ? NowS + hide : 0;
                }
                return (code, selected.Select(b => b.Id).ToArray());
            }
            case BurrowDeleteMessages c:
            {
                var (code, selected) = BurrowSelect(c.Queue, c.Selector);
                _burrow.RemoveAll(selected.Contains);
                return (code, selected.Select(b => b.Id).ToArray());
            }
            case BurrowDeleteMessage c:
            {
                var code = BurrowLocate(c.Queue);
                if (code != ResultCode.Ok)
                    return (code, []);
                var b = _burrow.FirstOrDefault(b => b.Queue == c.Queue && b.Id == c.MessageId);
                if (b is null)
                    return (ResultCode.MessageNotFound, []);
                _burrow.Remove(b);
                return (ResultCode.Ok, [b.Id]);
            }
            default:
                throw new NotSupportedException(command.GetType().Name);
        }
    }

    private static void Extend(Msg m, Claim claim)
    {
        var until = claim.Expires + claim.Grace * 1000L;
        if (m.Expires < until)
        {
            m.Expires = until;
            m.Ttl = claim.Ttl + claim.Grace;
        }
    }

    private ResultCode BurrowLocate(string queue) =>
        _burrow.Count == 0 ? ResultCode.AccountNotFound : _burrow.Any(b => b.Queue == queue) ? ResultCode.Ok : ResultCode.QueueNotFound;

    private (ResultCode, List<BMsg>) BurrowSelect(string queue, BurrowSelector selector)
    {
        var code = BurrowLocate(queue);
        if (code != ResultCode.Ok)
            return (code, []);
        var inQueue = _burrow.Where(b => b.Queue == queue).ToList();
        var start = selector.Marker is null ? 0 : inQueue.FindIndex(b => b.Id == selector.Marker) + 1;
        var selected = inQueue.Skip(start).Where(b => selector.MatchHidden || b.Hide == 0).Take(selector.Limit is > 0 ? selector.Limit.Value : int.MaxValue).ToList();
        return (selected.Count == 0 ? ResultCode.MessageNotFound : ResultCode.Ok, selected);
    }

    // ---- what queries must answer at nowMs (≥ the clock) ----

    public bool QueueExists(string queue) => _queues.Contains(queue);

    public List<string> ZaqarView(string queue, long nowMs) =>
        _messages.Where(m => m.Queue == queue && m.Expires > nowMs)
            .Select(m =>
            {
                var live = m.Claim is { } c && _claims[c].Expires > nowMs ? Id(c) : "-";
                return $"{Id(m.Seq)} {m.Body} ttl={m.Ttl} exp={m.Expires} vis={m.Visible} claim={live} count={m.ClaimCount}";
            }).ToList();

    public (ResultCode, List<string>) BurrowView(string queue, long nowMs)
    {
        var live = _burrow.Where(b => !(b.Ttl > 0 && b.Ttl * 1000 <= nowMs)).ToList();
        if (live.Count == 0)
            return (ResultCode.AccountNotFound, []);
        var inQueue = live.Where(b => b.Queue == queue).ToList();
        if (inQueue.Count == 0)
            return (ResultCode.QueueNotFound, []);
        return (ResultCode.Ok, inQueue.Select(b => $"{b.Id} {b.Body} ttl={b.Ttl} hide={(b.Hide > 0 && b.Hide * 1000 <= nowMs ? 0 : b.Hide)}").ToList());
    }

    public long? NextDeadlineMs()
    {
        var all = new List<long>();
        all.AddRange(_messages.Select(m => m.Expires));
        all.AddRange(_messages.Where(m => m.Visible > ClockMs).Select(m => m.Visible));
        all.AddRange(_claims.Values.Select(c => c.Expires));
        all.AddRange(_burrow.Where(b => b.Ttl > 0).Select(b => b.Ttl * 1000));
        all.AddRange(_burrow.Where(b => b.Hide > 0).Select(b => b.Hide * 1000));
        return all.Count == 0 ? null : all.Min();
    }
}
