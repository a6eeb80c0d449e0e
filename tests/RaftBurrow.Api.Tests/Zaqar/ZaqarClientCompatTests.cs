using RaftBurrow.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>
/// The compatibility test: a real Kestrel host on a free loopback port (over LocalQueueService), or
/// the server named by RAFTBURROW_ZAQAR_URL, driven by python-zaqarclient through
/// tests/compat/zaqarclient_compat.py. The server needs Zaqar:SignedUrlSecretKey set. Finding and
/// running Python: <see cref="PythonScript"/> (shared with the cluster tests).
/// </summary>
public sealed class ZaqarClientCompatTests(ITestOutputHelper output)
{
    [RequiresZaqarClientFact]
    public async Task Python_zaqarclient_drives_every_resource_group()
    {
        // RAFTBURROW_ZAQAR_URL points the script at a running server (e.g. a cluster node) instead.
        var external = Environment.GetEnvironmentVariable("RAFTBURROW_ZAQAR_URL");
        await using var host = external is null ? await ZaqarTestHost.StartAsync(kestrel: true) : null;
        var url = external ?? host!.BaseUrl!;
        var (exitCode, log) = await PythonScript.RunAsync(PythonScript.WithZaqarClient!,
            [PythonScript.CompatScript("zaqarclient_compat.py"), url, "compat-" + Guid.NewGuid().ToString("N")[..8]], null, TimeSpan.FromMinutes(2));
        output.WriteLine(log);
        Assert.True(exitCode == 0, "zaqarclient_compat.py failed:\n" + log);
        Assert.Contains("COMPAT PASSED", log, StringComparison.Ordinal);
    }
}
