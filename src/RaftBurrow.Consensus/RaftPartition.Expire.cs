using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Consensus;

// The expiry pulse (DESIGN.md §4): the state machine never reads a clock, so the leader proposes an
// Expire entry stamped with its time once the machine's earliest deadline has passed. No busy loop:
// the loop sleeps until the deadline or a leader change, at most a second. It does not wake on
// applies (that would cost a timer per apply under load); an apply that brings an earlier deadline
// is seen within that second. Pulses are housekeeping: reads and commands already judge expiry by
// their own time, so a late pulse never shows an expired message.
public sealed partial class RaftPartition
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    private async Task ExpireLoopAsync(CancellationToken stopping)
    {
        long lastPulseMs = 0;
        while (!stopping.IsCancellationRequested)
        {
            var wait = IdleWait;
            var leaderChanged = LeaderChanged;
            var leading = IsLeader;
            try
            {
                if (leading)
                {
                    var now = _clock.NowMs;
                    var deadline = _stateMachine.Read(static m => m.NextDeadlineMs);
                    var earliest = lastPulseMs + _options.MinExpireIntervalMs;
                    if (deadline is { } due && now >= due && now >= earliest)
                    {
                        lastPulseMs = now;
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                        timeout.CancelAfter(TimeSpan.FromSeconds(5));
                        await ReplicateAsync(LogEntryCodec.EncodeExpire(now), timeout.Token).ConfigureAwait(false);
                        continue;
                    }
                    if (deadline is { } next)
                        wait = TimeSpan.FromMilliseconds(Math.Clamp(Math.Max(next, earliest) - now, 1, (long)IdleWait.TotalMilliseconds));
                }
                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var delay = Task.Delay(wait, _clock.Time, sleep.Token);
                await Task.WhenAny(leaderChanged, delay).ConfigureAwait(false);
                await sleep.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NotLeaderException or OperationCanceledException or TimeoutException)
            {
                // Lost leadership or no quorum: the next leader pulses.
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Partition {Partition}: expiry pulse failed", Partition);
                await Task.Delay(IdleWait, _clock.Time, stopping).ConfigureAwait(false);
            }
        }
    }
}
