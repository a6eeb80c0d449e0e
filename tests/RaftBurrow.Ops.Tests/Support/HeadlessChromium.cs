using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RaftBurrow.Ops.Tests.Support;

/// <summary>
/// Debian's chromium, headless, driven over the DevTools protocol (one page, a WebSocket, JSON
/// commands): navigate, evaluate JavaScript, capture a screenshot. Started with its own temp
/// profile and a DevTools port it picks itself; disposed = killed (by its own process handle) and
/// the profile deleted.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profileDir;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(Process process, string profileDir, ClientWebSocket socket)
    {
        _process = process;
        _profileDir = profileDir;
        _socket = socket;
    }

    /// <summary>The browser binary (CHROMIUM_PATH, else /usr/bin/chromium), or null when it is not installed.</summary>
    public static string? FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        foreach (var candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
                return candidate;
        return null;
    }

    public static async Task<HeadlessChromium> StartAsync(string binary, int width = 1280, int height = 900)
    {
        var profileDir = Directory.CreateTempSubdirectory("raftburrow-chromium-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                     $"--window-size={width},{height}", $"--user-data-dir={profileDir}",
                     "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
                 })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        // Drain its output so a chatty browser never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Chromium writes "<port>\n<browser ws path>" once DevTools listens.
            var portFile = Path.Combine(profileDir, "DevToolsActivePort");
            var lines = await Eventually.WaitAsync(
                () => Task.FromResult(File.Exists(portFile) ? File.ReadAllLines(portFile) : []),
                l => l.Length >= 2 || process.HasExited, "chromium's DevToolsActivePort");
            if (process.HasExited)
                throw new InvalidOperationException($"chromium exited with {process.ExitCode}");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{lines[0].Trim()}") };
            var targets = await Eventually.WaitAsync(
                async () => JsonNode.Parse(await http.GetStringAsync("/json/list"))!.AsArray(),
                t => t.Any(x => (string?)x!["type"] == "page"), "a page target");
            var wsUrl = (string)targets.First(x => (string?)x!["type"] == "page")!["webSocketDebuggerUrl"]!;
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(wsUrl), CancellationToken.None);
            var browser = new HeadlessChromium(process, profileDir, socket);
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            await browser.SendAsync("Emulation.setDeviceMetricsOverride",
                new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
            return browser;
        }
        catch
        {
            Kill(process);
            TryDelete(profileDir);
            throw;
        }
    }

    /// <summary>Navigates and waits until the document has loaded (scripts with <c>defer</c> have run).</summary>
    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await Eventually.WaitAsync(() => EvaluateAsync<string>("document.readyState + '|' + location.href"),
            s => s.StartsWith("complete|", StringComparison.Ordinal) && !s.EndsWith("about:blank", StringComparison.Ordinal), "page load");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<T> EvaluateAsync<T>(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        });
        if (result["exceptionDetails"] is { } error)
            throw new InvalidOperationException("page script failed: " + error.ToJsonString());
        var value = result["result"]!["value"];
        return value is null ? default! : value.Deserialize<T>()!;
    }

    /// <summary>Polls <paramref name="expression"/> until it is true.</summary>
    public Task WaitForAsync(string expression, string what) =>
        Eventually.WaitAsync(() => EvaluateAsync<bool>($"!!({expression})"), ok => ok, what);

    /// <summary>Saves a PNG of the whole page (beyond the viewport) to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string path)
    {
        var metrics = await SendAsync("Page.getLayoutMetrics");
        var size = metrics["cssContentSize"] ?? metrics["contentSize"]!;
        var result = await SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject
            {
                ["x"] = 0, ["y"] = 0, ["scale"] = 1,
                ["width"] = (double)size["width"]!, ["height"] = (double)size["height"]!,
            },
        });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)result["data"]!));
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        // One caller at a time (tests are sequential): read until our answer, skipping events.
        while (true)
        {
            var reply = JsonNode.Parse(await ReceiveAsync(timeout.Token))!;
            if ((int?)reply["id"] != id)
                continue;
            if (reply["error"] is { } error)
                throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    private async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new InvalidOperationException("DevTools closed the connection");
            message.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The browser is killed next anyway.
        }
        _socket.Dispose();
        Kill(_process);
        TryDelete(_profileDir);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp dir is cleaned by the OS later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
