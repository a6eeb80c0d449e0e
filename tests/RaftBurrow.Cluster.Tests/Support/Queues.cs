using System.Text;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>Real queue commands for the cluster tests, and a drain that pops a queue empty.</summary>
public static class Queues
{
    public const string Project = "cluster-tests";

    /// <summary>A queue name that hashes onto <paramref name="partition"/>.</summary>
    public static string QueueOn(int partition, int partitions, string prefix = "q")
    {
        for (var i = 0; ; i++)
        {
            var name = $"{prefix}{i}";
            if (Partitioner.PartitionOf(QueueSpace.Zaqar, Project, name, partitions) == partition)
                return name;
        }
    }

    public static PostMessages Post(string queue, string body) => new()
    {
        Project = Project,
        Queue = queue,
        ClientId = Guid.Parse("00000000-0000-0000-0000-0000000000c1"),
        Messages = [new NewMessage { TtlSeconds = 3600, BodyJson = Encoding.UTF8.GetBytes($"\"{body}\"") }],
    };

    /// <summary>Pops every message of a queue through <paramref name="node"/>; returns the bodies in pop order.</summary>
    public static async Task<List<string>> DrainAsync(ServerCluster cluster, int node, string queue)
    {
        var partition = Partitioner.PartitionOf(QueueSpace.Zaqar, Project, queue, cluster.Partitions);
        var bodies = new List<string>();
        while (true)
        {
            var (status, result) = await cluster.ExecuteAsync(node, partition, new PopMessages { Project = Project, Queue = queue, Limit = 20 }, Guid.NewGuid());
            Assert.Equal(System.Net.HttpStatusCode.OK, status);
            var popped = Assert.IsType<MessagesResult>(result);
            if (popped.Messages.Length == 0)
                return bodies;
            bodies.AddRange(popped.Messages.Select(m => Encoding.UTF8.GetString(m.BodyJson).Trim('"')));
        }
    }
}
