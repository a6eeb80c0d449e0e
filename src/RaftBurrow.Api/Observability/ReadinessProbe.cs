using Microsoft.Extensions.Options;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Readiness: this node can answer a read on every partition (a read barrier through a leader)
/// within <see cref="ObservabilityOptions.ReadyTimeoutMs"/>. Liveness (/healthz) is the server's.
/// </summary>
public sealed class ReadinessProbe
{
    private readonly IQueueService _service;
    private readonly ObservabilityOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the probe.</summary>
    public ReadinessProbe(IQueueService service, IOptions<ObservabilityOptions> options, TimeProvider? time = null)
    {
        _service = service;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Reads every partition in parallel under one deadline; returns the partitions that failed, in order.</summary>
    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromMilliseconds(_options.ReadyTimeoutMs);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var checks = Enumerable.Range(0, _service.PartitionCount).Select(p => CheckOneAsync(p, timeout, deadline.Token)).ToArray();
        var failures = (await Task.WhenAll(checks).ConfigureAwait(false)).OfType<PartitionFailure>().ToList();
        return new ReadinessReport(_service.PartitionCount, failures);
    }

    private async Task<PartitionFailure?> CheckOneAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // WaitAsync as well as the token: an implementation may not observe cancellation.
            await _service.ReadAsync(partition, static (_, _) => true, cancellationToken)
                .WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return new PartitionFailure(partition, $"no answer within {(long)timeout.TotalMilliseconds} ms");
        }
        catch (Exception e)
        {
            return new PartitionFailure(partition, e.Message);
        }
    }
}

/// <summary>The outcome of a readiness check.</summary>
/// <param name="PartitionCount">Partitions checked.</param>
/// <param name="Failures">Partitions that did not answer, in order (empty when ready).</param>
public sealed record ReadinessReport(int PartitionCount, IReadOnlyList<PartitionFailure> Failures)
{
    /// <summary>Whether every partition answered.</summary>
    public bool Ready => Failures.Count == 0;
}

/// <summary>A partition that failed the readiness read, and why.</summary>
public sealed record PartitionFailure(int Partition, string Reason);
