using Microsoft.AspNetCore.Builder;
using RaftBurrow.Ops.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Ops.Tests;

/// <summary>
/// The dashboard in headless Chromium against a real Kestrel host (Zaqar over LocalQueueService,
/// a stub /admin/cluster for a 3-node cluster whose node 2 is another Kestrel host and node 3 is down).
/// Skipped with a reason when chromium is not installed (apt-get install -y chromium).
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    [RequiresChromiumFact]
    public async Task Dashboard_shows_the_cluster_and_the_queues_of_the_chosen_project()
    {
        var binary = HeadlessChromium.FindBinary();

        var cluster = new StubCluster();
        await using var peer = await OpsHost.StartPeerAsync(() => cluster.ViewOf(2));
        await using var host = await OpsHost.StartAsync(() => cluster.ViewOf(1));
        cluster.Node1Url = host.BaseUrl;
        cluster.Node2Url = peer.Urls.First();
        cluster.Node3Url = OpsHost.DeadUrl();

        await host.Client.CreateQueueAsync("shop", "orders");
        await host.Client.PostMessagesAsync("shop", "orders", 5);
        await host.Client.ClaimAsync("shop", "orders", 2);
        await host.Client.CreateQueueAsync("shop", "emails");
        await host.Client.PostMessagesAsync("shop", "emails", 2);
        await host.Client.CreateQueueAsync("billing", "invoices");
        await host.Client.PostMessagesAsync("billing", "invoices", 1);

        await using var browser = await HeadlessChromium.StartAsync(binary!);
        await browser.NavigateAsync(host.BaseUrl + "/ui/?project=shop");
        await browser.WaitForAsync("document.querySelector('#queue-table tr[data-queue=\"orders\"]')", "the orders row");
        await browser.WaitForAsync("document.querySelectorAll('#node-map g.node').length === 3", "three nodes on the map");

        // The cluster map: node 3 is down, nodes 1 and 2 each lead two partitions.
        Assert.Equal(["1", "2", "3"], await browser.EvaluateAsync<string[]>("[...document.querySelectorAll('#node-map g.node')].map(g => g.dataset.node)"));
        Assert.Equal(1, await browser.EvaluateAsync<int>("document.querySelectorAll('#node-map g.node.down').length"));
        Assert.Equal(2, await browser.EvaluateAsync<int>("document.querySelectorAll('#node-map g.node[data-node=\"1\"] rect.chip.leader').length"));
        Assert.Equal(2, await browser.EvaluateAsync<int>("document.querySelectorAll('#node-map g.node[data-node=\"2\"] rect.chip.leader').length"));
        // The partition table: one row per partition, leaders as the nodes say, node 2's lag on partition 0.
        Assert.Equal(StubCluster.Partitions, await browser.EvaluateAsync<int>("document.querySelectorAll('#partition-table tbody tr').length"));
        Assert.Equal("node 2", await browser.EvaluateAsync<string>("document.querySelector('#partition-table tr[data-partition=\"1\"] td:nth-child(2)').textContent"));
        Assert.Contains("(3)", await browser.EvaluateAsync<string>("document.querySelector('#partition-table tr[data-partition=\"0\"] td:nth-child(5)').textContent"), StringComparison.Ordinal);
        // The queue table: depth and claimed as the Zaqar stats say.
        Assert.Equal(["emails", "orders"], await browser.EvaluateAsync<string[]>("[...document.querySelectorAll('#queue-table tbody tr')].map(r => r.dataset.queue)"));
        Assert.Equal("5", await browser.EvaluateAsync<string>("document.querySelector('#queue-table tr[data-queue=\"orders\"] td.depth').textContent"));
        Assert.Equal("2", await browser.EvaluateAsync<string>("document.querySelector('#queue-table tr[data-queue=\"orders\"] td:nth-child(4)').textContent"));

        // Live refresh: more messages show up with a positive rate, without reloading.
        await host.Client.PostMessagesAsync("shop", "orders", 4);
        await browser.WaitForAsync("document.querySelector('#queue-table tr[data-queue=\"orders\"] td.depth').textContent === '9'", "the refreshed depth");
        Assert.StartsWith("+", await browser.EvaluateAsync<string>("document.querySelector('#queue-table tr[data-queue=\"orders\"] td.rate').textContent"), StringComparison.Ordinal);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");
        await browser.ScreenshotAsync(screenshot);
        output.WriteLine("screenshot: " + screenshot);

        // Changing the project field changes the list.
        await browser.EvaluateAsync<bool>("(() => { const i = document.getElementById('project'); i.value = 'billing'; document.getElementById('project-form').requestSubmit(); return true; })()");
        await browser.WaitForAsync("document.body.dataset.project === 'billing' && document.querySelector('#queue-table tr[data-queue=\"invoices\"]')", "the billing queues");
        Assert.Equal(["invoices"], await browser.EvaluateAsync<string[]>("[...document.querySelectorAll('#queue-table tbody tr')].map(r => r.dataset.queue)"));
        Assert.Contains("project=billing", await browser.EvaluateAsync<string>("location.search"), StringComparison.Ordinal);

        // Pause stops the refreshes; resume starts them again.
        await browser.EvaluateAsync<bool>("(document.getElementById('pause').click(), true)");
        Assert.Equal("true", await browser.EvaluateAsync<string>("document.getElementById('pause').getAttribute('aria-pressed')"));
        Assert.Equal("paused", await browser.EvaluateAsync<string>("document.getElementById('status').textContent"));
        var pausedAt = await browser.EvaluateAsync<int>("Number(document.body.dataset.refreshCount)");
        await host.Client.PostMessagesAsync("billing", "invoices", 1);
        await browser.EvaluateAsync<bool>("new Promise(r => setTimeout(() => r(true), 2500))"); // longer than one refresh period
        // At most the refresh that was already running when the button was pressed completes.
        Assert.True(await browser.EvaluateAsync<int>("Number(document.body.dataset.refreshCount)") <= pausedAt + 1);
        await browser.EvaluateAsync<bool>("(document.getElementById('pause').click(), true)");
        await browser.WaitForAsync("document.querySelector('#queue-table tr[data-queue=\"invoices\"] td.depth').textContent === '2'", "a refresh after resume");
    }
}
