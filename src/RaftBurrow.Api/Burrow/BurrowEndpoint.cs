using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

/// <summary>
/// The one handler behind every <c>/v1.0</c> path. It matches the path itself (exact segments, no
/// trailing slash, no encoded slash — ASP.NET routing is more lenient than the contract), checks
/// the method (405), parses the query (400), then runs the level's operation. Split by level into
/// partial files.
/// </summary>
/// <remarks>Stateless apart from its dependencies; one instance serves all requests concurrently.</remarks>
internal sealed partial class BurrowEndpoint(
    IQueueService service,
    BurrowLongPoll longPoll,
    IOptions<BurrowOptions> options,
    ILogger<BurrowEndpoint> logger)
{
    private BurrowOptions Options => options.Value;

    /// <summary>Handles one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var path = BurrowPath.TryParse(context);
        if (path is null)
        {
            await BurrowResponses.Empty(context, StatusCodes.Status404NotFound);
            return;
        }

        var method = context.Request.Method;
        var allow = Allowed(path.Level);
        if (!allow.Contains(method, StringComparer.Ordinal))
        {
            await BurrowResponses.MethodNotAllowed(context, string.Join(", ", allow));
            return;
        }

        try
        {
            if (path.InvalidEncoding)
                throw new BurrowBadRequestException("Invalid id", "Percent-decoded ids must be valid UTF-8.");
            var query = BurrowQuery.Parse(context.Request.Query, method, Options);
            await (path.Level switch
            {
                BurrowLevel.Accounts => AccountsAsync(context, query),
                BurrowLevel.Queues => QueuesAsync(context, path.Account, query),
                BurrowLevel.Messages => MessagesAsync(context, path, query),
                _ => MessageAsync(context, path, query),
            });
        }
        catch (BurrowBadRequestException e)
        {
            await BurrowResponses.Error(context, e.StatusCode, e.Title, e.Message);
        }
        catch (BurrowWaitersExhaustedException e)
        {
            // Operators need to see this: it means Burrow:MaxParkedWaiters is too low for the load.
            logger.LogWarning("Burrow long poll refused: {Reason}", e.Message);
            context.Response.Headers.RetryAfter = "1";
            await BurrowResponses.Error(context, StatusCodes.Status503ServiceUnavailable, "Too many waiting requests", e.Message);
        }
        catch (ServiceUnavailableException e)
        {
            context.Response.Headers.RetryAfter = "1";
            await BurrowResponses.Error(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (typically during a long poll): nobody to answer.
        }
    }

    private static string[] Allowed(BurrowLevel level) => level switch
    {
        BurrowLevel.Accounts or BurrowLevel.Queues => [HttpMethods.Get, HttpMethods.Delete],
        BurrowLevel.Messages => [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete],
        _ => [HttpMethods.Get, HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete],
    };

    /// <summary>The detail level asked for, the default when absent, or null when invalid (answered 400 where the contract checks it).</summary>
    private static BurrowDetail? DetailOf(BurrowQuery query, BurrowDetail defaultDetail) =>
        query.Detail is null ? defaultDetail : BurrowDetails.Parse(query.Detail);

    private async Task<BurrowOutcome> ExecuteAsync(int partition, Command command, CancellationToken cancellationToken)
    {
        var result = await service.ExecuteAsync(partition, command, Guid.NewGuid(), cancellationToken);
        return CheckCode(BurrowOutcome.From(result));
    }

    private BurrowOutcome CheckCode(BurrowOutcome outcome)
    {
        if (outcome.Code is ResultCode.Ok or ResultCode.Created || outcome.IsNotFound)
            return outcome;
        // Burrow commands have no other outcome; anything else is a bug below the edge.
        logger.LogError("Unexpected Burrow result code {Code}", outcome.Code);
        throw new InvalidOperationException($"Unexpected result code {outcome.Code} from a Burrow command.");
    }

    /// <summary>
    /// The 404 text naming the first missing level. A partition only knows its own queues, so when it
    /// says the account is missing, the other partitions are asked whether the account has any queue.
    /// </summary>
    private async Task<string> NotFoundTextAsync(ResultCode code, string account, CancellationToken cancellationToken)
    {
        switch (code)
        {
            case ResultCode.QueueNotFound:
                return "Queue not found";
            case ResultCode.AccountNotFound:
                var counts = await service.ReadAllAsync((queries, nowMs) => queries.BurrowListQueues(account, nowMs).Count, cancellationToken);
                return counts.Any(count => count > 0) ? "Queue not found" : "Account not found";
            default:
                return "Message not found";
        }
    }
}
