using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Tests.Burrow.Support;

/// <summary>
/// A naive model of the Burrow part of the state machine (contract §1, §3.2, §8 with lazy expiry),
/// P partitions in one process, behind <see cref="IQueueService"/>. It lets the API tests run
/// before (and independently of) the real QueueStateMachine; the same tests run against
/// <see cref="Api.Tests.Support.LocalQueueService"/> when the real one is there.
/// </summary>
public sealed class BurrowModelService : IQueueService
{
    private readonly ModelPartition[] _partitions;
    private readonly TaskCompletionSource[] _changed;
    private readonly TimeProvider _time;

    public BurrowModelService(int partitions = 4, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _partitions = new ModelPartition[partitions];
        _changed = new TaskCompletionSource[partitions];
        for (var p = 0; p < partitions; p++)
        {
            _partitions[p] = new ModelPartition();
            _changed[p] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public int PartitionCount => _partitions.Length;

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public bool IsLocalLeader(int partition) => true;

    public int PartitionOf(QueueSpace space, string project, string queue) =>
        Partitioner.PartitionOf(space, project, queue, _partitions.Length);

    public Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken)
    {
        CommandResult result;
        TaskCompletionSource changed;
        var nowMs = NowMs;
        lock (_partitions[partition])
        {
            result = _partitions[partition].Apply(command, nowMs);
            changed = _changed[partition];
            _changed[partition] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return Task.FromResult(result);
    }

    public Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        lock (_partitions[partition])
            return Task.FromResult(query(_partitions[partition], NowMs));
    }

    public Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        var answers = new List<T>();
        for (var p = 0; p < _partitions.Length; p++)
            lock (_partitions[p])
                answers.Add(query(_partitions[p], NowMs));
        return Task.FromResult<IReadOnlyList<T>>(answers);
    }

    public async Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_partitions[partition])
            changed = _changed[partition].Task;
        try
        {
            await changed.WaitAsync(timeout, _time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Applies the expiry pulse on every partition (wakes waiters, like the real Expire entry).</summary>
    public void Expire()
    {
        for (var p = 0; p < _partitions.Length; p++)
            _ = ExecuteAsync(p, new Expire(), Guid.NewGuid(), CancellationToken.None);
    }

    private sealed class ModelMessage
    {
        public required string Id;
        public required byte[] Body;
        public long TtlDeadlineS;
        public long HideDeadlineS;
        public BurrowMessageView View(long nowS) =>
            new(Id, Body, TtlDeadlineS, HideDeadlineS > 0 && HideDeadlineS <= nowS ? 0 : HideDeadlineS);
    }

    private sealed class ModelQueue
    {
        public required string Name;
        public long CreatedMs;
        public long CreatedIndex;
        public readonly List<ModelMessage> Messages = [];
    }

    /// <summary>One partition: account → queues in creation order. Expired messages are dropped lazily.</summary>
    private sealed class ModelPartition : IQueueQueries
    {
        private readonly Dictionary<string, List<ModelQueue>> _accounts = new(StringComparer.Ordinal);
        private long _index;

        public CommandResult Apply(Command command, long nowMs)
        {
            _index++;
            var nowS = Math.DivRem(nowMs, 1000).Quotient;
            Purge(nowS);
            switch (command)
            {
                case BurrowPutMessage put:
                {
                    var queue = FindQueue(put.Project, put.Queue);
                    if (queue is null)
                    {
                        queue = new ModelQueue { Name = put.Queue, CreatedMs = nowMs, CreatedIndex = _index };
                        if (!_accounts.TryGetValue(put.Project, out var queues))
                            _accounts[put.Project] = queues = [];
                        queues.Add(queue);
                    }

                    var message = queue.Messages.Find(m => m.Id == put.MessageId);
                    var created = message is null;
                    if (message is null)
                    {
                        message = new ModelMessage { Id = put.MessageId, Body = put.Body };
                        queue.Messages.Add(message);
                    }

                    message.Body = put.Body;
                    message.TtlDeadlineS = Deadline(put.TtlSeconds, nowS);
                    message.HideDeadlineS = Deadline(put.HideSeconds, nowS);
                    return new BurrowMessagesResult(created ? ResultCode.Created : ResultCode.Ok, nowMs, []);
                }

                case BurrowUpdateMessages update:
                {
                    var (code, selected) = Select(update.Project, update.Queue, update.Selector, nowS);
                    foreach (var m in selected)
                        Update(m, update.TtlSeconds, update.HideSeconds, nowS);
                    return new BurrowMessagesResult(code, nowMs, selected.Select(m => m.View(nowS)).ToArray());
                }

                case BurrowUpdateMessage update:
                {
                    var (code, m) = Find(update.Project, update.Queue, update.MessageId);
                    if (m is null)
                        return new BurrowMessagesResult(code, nowMs, []);
                    Update(m, update.TtlSeconds, update.HideSeconds, nowS);
                    return new BurrowMessagesResult(ResultCode.Ok, nowMs, [m.View(nowS)]);
                }

                case BurrowDeleteMessages delete:
                {
                    var (code, selected) = Select(delete.Project, delete.Queue, delete.Selector, nowS);
                    var views = selected.Select(m => m.View(nowS)).ToArray();
                    if (selected.Count > 0)
                    {
                        FindQueue(delete.Project, delete.Queue)!.Messages.RemoveAll(selected.Contains);
                        Purge(nowS);
                    }

                    return new BurrowMessagesResult(code, nowMs, views);
                }

                case BurrowDeleteMessage delete:
                {
                    var (code, m) = Find(delete.Project, delete.Queue, delete.MessageId);
                    if (m is null)
                        return new BurrowMessagesResult(code, nowMs, []);
                    var view = m.View(nowS);
                    FindQueue(delete.Project, delete.Queue)!.Messages.Remove(m);
                    Purge(nowS);
                    return new BurrowMessagesResult(ResultCode.Ok, nowMs, [view]);
                }

                case BurrowDeleteQueue delete:
                {
                    var queue = FindQueue(delete.Project, delete.Queue);
                    queue?.Messages.Clear();
                    Purge(nowS);
                    return new CodeResult(queue is null ? ResultCode.QueueNotFound : ResultCode.Ok, nowMs);
                }

                case BurrowDeleteAccount delete:
                    return new CodeResult(_accounts.Remove(delete.Project) ? ResultCode.Ok : ResultCode.AccountNotFound, nowMs);

                case StateMachine.Commands.Expire:
                    return new CodeResult(ResultCode.Ok, nowMs);

                default:
                    throw new NotSupportedException(command.GetType().Name);
            }
        }

        private static long Deadline(long seconds, long nowS) => seconds > 0 ? nowS + seconds : seconds;

        private static void Update(ModelMessage m, long? ttl, long? hide, long nowS)
        {
            if (ttl is not null)
                m.TtlDeadlineS = Deadline(ttl.Value, nowS);
            if (hide is not null)
                m.HideDeadlineS = Deadline(hide.Value, nowS);
        }

        private static bool Expired(ModelMessage m, long nowS) => m.TtlDeadlineS > 0 && m.TtlDeadlineS <= nowS;

        private static bool Hidden(ModelMessage m, long nowS) => m.HideDeadlineS > nowS;

        private void Purge(long nowS)
        {
            foreach (var (account, queues) in _accounts.ToList())
            {
                foreach (var queue in queues)
                    queue.Messages.RemoveAll(m => Expired(m, nowS));
                queues.RemoveAll(q => q.Messages.Count == 0);
                if (queues.Count == 0)
                    _accounts.Remove(account);
            }
        }

        private ModelQueue? FindQueue(string account, string queue) =>
            _accounts.TryGetValue(account, out var queues) ? queues.Find(q => q.Name == queue) : null;

        private List<ModelQueue> LiveQueues(string account, long nowS) =>
            _accounts.TryGetValue(account, out var queues)
                ? queues.Where(q => q.Messages.Any(m => !Expired(m, nowS))).ToList()
                : [];

        private (ResultCode, List<ModelMessage>) Select(string account, string queueName, BurrowSelector selector, long nowS)
        {
            if (LiveQueues(account, nowS).Count == 0)
                return (ResultCode.AccountNotFound, []);
            var queue = FindQueue(account, queueName);
            var live = queue?.Messages.Where(m => !Expired(m, nowS)).ToList() ?? [];
            if (live.Count == 0)
                return (ResultCode.QueueNotFound, []);
            var start = selector.Marker is null ? 0 : live.FindIndex(m => m.Id == selector.Marker) + 1;
            var selected = live.Skip(start).Where(m => selector.MatchHidden || !Hidden(m, nowS));
            if (selector.Limit is > 0)
                selected = selected.Take(selector.Limit.Value);
            var list = selected.ToList();
            return (list.Count == 0 ? ResultCode.MessageNotFound : ResultCode.Ok, list);
        }

        private (ResultCode, ModelMessage?) Find(string account, string queueName, string id)
        {
            var (code, all) = Select(account, queueName, new BurrowSelector { MatchHidden = true }, long.MinValue);
            if (code != ResultCode.Ok)
                return (code, null);
            var m = all.Find(x => x.Id == id);
            return m is null ? (ResultCode.MessageNotFound, null) : (ResultCode.Ok, m);
        }

        public IReadOnlyList<BurrowNameView> BurrowListAccounts(long nowMs)
        {
            var nowS = Math.DivRem(nowMs, 1000).Quotient;
            return _accounts.Keys
                .Select(a => (a, LiveQueues(a, nowS)))
                .Where(x => x.Item2.Count > 0)
                .Select(x => new BurrowNameView(x.a, x.Item2.Min(q => q.CreatedMs), x.Item2.Min(q => q.CreatedIndex)))
                .OrderBy(v => v.CreatedIndex)
                .ToList();
        }

        public IReadOnlyList<BurrowNameView> BurrowListQueues(string account, long nowMs) =>
            LiveQueues(account, Math.DivRem(nowMs, 1000).Quotient)
                .Select(q => new BurrowNameView(q.Name, q.CreatedMs, q.CreatedIndex)).ToList();

        public (ResultCode Code, IReadOnlyList<BurrowMessageView> Messages) BurrowListMessages(string account, string queue, BurrowSelector selector, long nowMs)
        {
            var nowS = Math.DivRem(nowMs, 1000).Quotient;
            var (code, list) = Select(account, queue, selector, nowS);
            return (code, list.Select(m => m.View(nowS)).ToList());
        }

        public (ResultCode Code, BurrowMessageView? Message) BurrowGetMessage(string account, string queue, string messageId, long nowMs)
        {
            var nowS = Math.DivRem(nowMs, 1000).Quotient;
            var (code, list) = Select(account, queue, new BurrowSelector { MatchHidden = true }, nowS);
            if (code != ResultCode.Ok)
                return (code, null);
            var m = list.Find(x => x.Id == messageId);
            return m is null ? (ResultCode.MessageNotFound, null) : (ResultCode.Ok, m.View(nowS));
        }

        public QueueView? GetQueue(string project, string queue) => throw new NotSupportedException();
        public IReadOnlyList<QueueView> ListQueues(string project, string? marker, int limit) => throw new NotSupportedException();
        public int CountQueues(string project) => throw new NotSupportedException();
        public QueueStatsView? GetQueueStats(string project, string queue, long nowMs) => throw new NotSupportedException();
        public MessagePage? ListMessages(string project, string queue, ListMessagesOptions options, long nowMs) => throw new NotSupportedException();
        public MessageView? GetMessage(string project, string queue, string messageId, long nowMs) => throw new NotSupportedException();
        public IReadOnlyList<MessageView> GetMessages(string project, string queue, IReadOnlyList<string> messageIds, long nowMs) => throw new NotSupportedException();
        public ClaimView? GetClaim(string project, string queue, string claimId, long nowMs) => throw new NotSupportedException();
        public IReadOnlyList<SubscriptionView> ListSubscriptions(string project, string queue, string? marker, int limit, long nowMs) => throw new NotSupportedException();
        public SubscriptionView? GetSubscription(string project, string queue, string subscriptionId, long nowMs) => throw new NotSupportedException();
        public IReadOnlyList<(string Project, SubscriptionView Subscription)> AllSubscriptions(long nowMs) => throw new NotSupportedException();
        public IReadOnlyList<DeadLetterView> PendingDeadLetters(int limit) => throw new NotSupportedException();
    }
}
