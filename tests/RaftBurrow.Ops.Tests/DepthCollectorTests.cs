using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RaftBurrow.Api;
using RaftBurrow.Api.Observability;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Ops.Tests;

/// <summary>The depth collector's bounds: projects tracked, queues visited per partition, collections skipped.</summary>
public sealed class DepthCollectorTests
{
    [Fact]
    public async Task Sum_stops_at_the_queue_budget_of_a_partition()
    {
        var service = new LocalQueueService(1);
        for (var i = 0; i < 7; i++)
            await service.ExecuteAsync(0, new CreateQueue { Project = "p", Queue = $"q{i}" }, Guid.NewGuid(), CancellationToken.None);

        var all = await service.ReadAsync(0, (q, now) => QueueDepthCollector.Sum(q, now, ["p"], maxQueues: 100), CancellationToken.None);
        var bounded = await service.ReadAsync(0, (q, now) => QueueDepthCollector.Sum(q, now, ["p"], maxQueues: 5), CancellationToken.None);
        Assert.Equal(7, all.Queues);
        Assert.Equal(5, bounded.Queues);
    }

    [Fact]
    public async Task Sum_counts_every_project_tracked_ones_first_within_the_budget()
    {
        var service = new LocalQueueService(1);
        foreach (var (project, queue) in new[] { ("a", "q1"), ("a", "q2"), ("a", "q3"), ("b", "q1"), ("z", "q1") })
        {
            await service.ExecuteAsync(0, new CreateQueue { Project = project, Queue = queue }, Guid.NewGuid(), CancellationToken.None);
            await service.ExecuteAsync(0, new PostMessages { Project = project, Queue = queue, ClientId = Guid.NewGuid(), Messages = [new NewMessage { TtlSeconds = 300, DelaySeconds = 0, BodyJson = "1"u8.ToArray() }] }, Guid.NewGuid(), CancellationToken.None);
        }

        // Nothing tracked: every project, in name order.
        var all = await service.ReadAsync(0, (q, now) => QueueDepthCollector.Sum(q, now, [], maxQueues: 100), CancellationToken.None);
        Assert.Equal((5L, 5L), (all.Queues, all.Messages));
        Assert.Equal(["a", "b", "z"], all.Projects.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, all.Projects["a"].Messages);

        // A budget of 2 queues: the tracked project "z" first, then as much of the rest as fits.
        var bounded = await service.ReadAsync(0, (q, now) => QueueDepthCollector.Sum(q, now, ["z"], maxQueues: 2), CancellationToken.None);
        Assert.Equal(2, bounded.Queues);
        Assert.Equal(["a", "z"], bounded.Projects.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, bounded.Projects["a"].Messages);
    }

    [Fact]
    public async Task Tracked_projects_are_bounded_and_configured_ones_come_first()
    {
        var options = new ObservabilityOptions { MaxTrackedProjects = 3, DepthMinIntervalMs = 3_600_000 };
        options.Projects.Add("configured");
        var collector = new QueueDepthCollector(new LocalQueueService(2), Options.Create(options));
        foreach (var project in new[] { "a", "b", "c", "d", new string('x', 300), null })
            collector.NoteProject(project);
        Assert.Equal(["a", "b", "configured"], collector.TrackedProjects);

        Assert.True(await collector.MaybeCollectAsync(CancellationToken.None));
        // Within the minimum interval (an hour here) a scrape reuses the last values.
        Assert.False(await collector.MaybeCollectAsync(CancellationToken.None));
    }

    [Fact]
    public void Settings_bind_from_the_RaftBurrow_Observability_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RaftBurrow:Observability:ReadyTimeoutMs"] = "1234",
            ["RaftBurrow:Observability:Projects:0"] = "billing",
            ["RaftBurrow:Observability:Projects:1"] = "shop",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IQueueService>(new LocalQueueService(2))
            .AddRaftBurrowObservability();
        using var provider = services.BuildServiceProvider();
        Assert.Equal(1234, provider.GetRequiredService<IOptions<ObservabilityOptions>>().Value.ReadyTimeoutMs);
        Assert.Equal(["billing", "shop"], provider.GetRequiredService<QueueDepthCollector>().TrackedProjects);
    }
}
