using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Moves dead letters to their dead-letter queues. On each partition this node leads it reads the
/// outbox (<c>PendingDeadLetters</c>), posts each message to its DLQ (possibly on another
/// partition) with the idempotency key <c>"dlq:" + id</c> — so a mover that dies halfway and a new
/// leader that repeats the move create each message once — and then drops the moved entries with
/// <see cref="CompleteDeadLetters"/>.
/// </summary>
internal sealed partial class DeadLetterMover : BackgroundService
{
    private const int BatchSize = 100;
    private const int MinMessageTtlSeconds = 60;

    private readonly IQueueService _service;
    private readonly ZaqarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeadLetterMover> _logger;

    public DeadLetterMover(IQueueService service, ZaqarOptions options, TimeProvider time, ILogger<DeadLetterMover> logger)
    {
        _service = service;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, _options.DeadLetterPollIntervalMs));
        while (!stoppingToken.IsCancellationRequested)
        {
            var waits = new List<Task<bool>>();
            var movedAny = false;
            for (var p = 0; p < _service.PartitionCount; p++)
            {
                if (!_service.IsLocalLeader(p))
                    continue;
                // Armed before the read so that an entry landing meanwhile wakes us up.
                waits.Add(_service.WaitForChangeAsync(p, poll, stoppingToken));
                try
                {
                    movedAny |= await MoveOnceAsync(p, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogMoveFailed(_logger, ex, p);
                }
            }
            if (movedAny)
                continue;
            try
            {
                if (waits.Count == 0)
                    await Task.Delay(poll, _time, stoppingToken).ConfigureAwait(false);
                else
                    await Task.WhenAny(waits).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Moves one batch of partition <paramref name="partition"/>'s outbox; returns whether anything moved.</summary>
    internal async Task<bool> MoveOnceAsync(int partition, CancellationToken cancellationToken)
    {
        var pending = await _service.ReadAsync(partition, (q, _) => q.PendingDeadLetters(BatchSize), cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
            return false;
        var moved = new List<string>(pending.Count);
        foreach (var letter in pending)
        {
            var ttl = letter.DeadLetterTtlSeconds ?? letter.Message.TtlSeconds;
            var post = new PostMessages
            {
                Project = letter.Project,
                Queue = letter.DeadLetterQueue,
                ClientId = letter.Message.ClientId,
                Messages = [new NewMessage { TtlSeconds = Math.Clamp(ttl, MinMessageTtlSeconds, _options.MaxMessageTtlSeconds), BodyJson = letter.Message.BodyJson }],
                IdempotencyKey = "dlq:" + letter.Message.Id,
            };
            var target = _service.PartitionOf(QueueSpace.Zaqar, letter.Project, letter.DeadLetterQueue);
            var result = await _service.ExecuteAsync(target, post, Guid.NewGuid(), cancellationToken).ConfigureAwait(false);
            if (result.Code is ResultCode.Ok or ResultCode.Created)
                moved.Add(letter.Message.Id);
            else
                LogPostRefused(_logger, letter.Message.Id, letter.DeadLetterQueue, result.Code);
        }
        if (moved.Count == 0)
            return false;
        await _service.ExecuteAsync(partition, new CompleteDeadLetters { MessageIds = [.. moved] }, Guid.NewGuid(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Dead-letter move on partition {Partition} failed")]
    private static partial void LogMoveFailed(ILogger logger, Exception ex, int partition);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Dead letter {MessageId} could not be posted to {DeadLetterQueue}: {Code}")]
    private static partial void LogPostRefused(ILogger logger, string messageId, string deadLetterQueue, ResultCode code);
}
