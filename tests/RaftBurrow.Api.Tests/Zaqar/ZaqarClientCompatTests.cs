using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>Skips the test with a clear reason when Debian's python3-zaqarclient is not importable.</summary>
public sealed class RequiresZaqarClientFactAttribute : FactAttribute
{
    public RequiresZaqarClientFactAttribute()
    {
        if (ZaqarClientCompatTests.Python is null)
            Skip = "python3-zaqarclient is not installed (apt-get install -y python3-zaqarclient; .ci/run installs it)";
    }
}

/// <summary>
/// The compatibility test: a real Kestrel host on a free loopback port (over LocalQueueService), or
/// the server named by RAFTBURROW_ZAQAR_URL, driven by python-zaqarclient through
/// tests/compat/zaqarclient_compat.py. The server needs Zaqar:SignedUrlSecretKey set.
/// </summary>
public sealed class ZaqarClientCompatTests(ITestOutputHelper output)
{
    private static readonly Lazy<string?> PythonWithClient = new(FindPython);

    /// <summary>A python3 that can import zaqarclient, or null.</summary>
    public static string? Python => PythonWithClient.Value;

    private static string? FindPython()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate, ["-c", "import zaqarclient.queues.v2.client"])
                {
                    RedirectStandardError = true, RedirectStandardOutput = true,
                });
                if (process is null)
                    continue;
                if (!process.WaitForExit(30_000))
                {
                    process.Kill();
                    continue;
                }
                if (process.ExitCode == 0)
                    return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under this name
            }
        }
        return null;
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "compat", "zaqarclient_compat.py");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("tests/compat/zaqarclient_compat.py not found above " + AppContext.BaseDirectory);
    }

    [RequiresZaqarClientFact]
    public async Task Python_zaqarclient_drives_every_resource_group()
    {
        // RAFTBURROW_ZAQAR_URL points the script at a running server (e.g. a cluster node) instead.
        var external = Environment.GetEnvironmentVariable("RAFTBURROW_ZAQAR_URL");
        await using var host = external is null ? await ZaqarTestHost.StartAsync(kestrel: true) : null;
        var url = external ?? host!.BaseUrl!;
        var start = new ProcessStartInfo(Python!, [ScriptPath(), url, "compat-" + Guid.NewGuid().ToString("N")[..8]])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)!;
        var log = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        log.Append(await stdout).Append(await stderr);
        output.WriteLine(log.ToString());
        Assert.True(process.ExitCode == 0, "zaqarclient_compat.py failed:\n" + log);
        Assert.Contains("COMPAT PASSED", log.ToString(), StringComparison.Ordinal);
    }
}
