using System.Reflection;
using MessagePack;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine.Tests;

/// <summary>Union tags and result codes are part of the replicated format: these tests fail if one is renumbered.</summary>
public class FormatPinTests
{
    private static Dictionary<int, string> Tags(Type type) =>
        type.GetCustomAttributes<UnionAttribute>().ToDictionary(u => u.Key, u => u.SubType.Name);

    [Fact]
    public void Command_union_tags_are_pinned()
    {
        var expected = new Dictionary<int, string>
        {
            [1] = "CreateQueue", [2] = "ReplaceQueueMetadata", [3] = "PatchQueueMetadata", [4] = "DeleteQueue", [5] = "PurgeQueue",
            [6] = "PostMessages", [7] = "DeleteMessage", [8] = "DeleteMessages", [9] = "PopMessages", [10] = "CreateClaim",
            [11] = "UpdateClaim", [12] = "ReleaseClaim", [13] = "CreateSubscription", [14] = "UpdateSubscription",
            [15] = "DeleteSubscription", [16] = "ConfirmSubscription", [17] = "Expire", [18] = "CompleteDeadLetters",
            [30] = "BurrowPutMessage", [31] = "BurrowUpdateMessages", [32] = "BurrowUpdateMessage", [33] = "BurrowDeleteMessages",
            [34] = "BurrowDeleteMessage", [35] = "BurrowDeleteQueue", [36] = "BurrowDeleteAccount",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), Tags(typeof(Command)).OrderBy(p => p.Key));
    }

    [Fact]
    public void Result_union_tags_are_pinned()
    {
        var expected = new Dictionary<int, string>
        {
            [0] = "CodeResult", [1] = "PostMessagesResult", [2] = "MessagesResult", [3] = "ClaimResult",
            [4] = "CreatedIdResult", [5] = "MetadataResult", [6] = "BurrowMessagesResult",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), Tags(typeof(CommandResult)).OrderBy(p => p.Key));
    }

    [Fact]
    public void Result_codes_are_pinned()
    {
        var expected = new Dictionary<string, int>
        {
            ["Ok"] = 0, ["Created"] = 1, ["NoContent"] = 2, ["QueueNotFound"] = 10, ["MessageNotFound"] = 11,
            ["ClaimNotFound"] = 12, ["SubscriptionNotFound"] = 13, ["AccountNotFound"] = 14, ["ClaimMismatch"] = 20,
            ["MessageNotClaimed"] = 21, ["QuotaExceeded"] = 30, ["PostTooLarge"] = 31, ["InvalidPatch"] = 40,
            ["Conflict"] = 41, ["BadCommand"] = 90,
        };
        var actual = Enum.GetValues<ResultCode>().ToDictionary(v => v.ToString(), v => (int)v);
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [Fact]
    public void Versions_are_pinned()
    {
        Assert.Equal(1, LogEntryCodec.Version);
        Assert.Equal(1, CommandCodec.Version);
        Assert.Equal(1, QueueStateMachine.SnapshotVersion);
    }

    [Fact]
    public void Every_command_round_trips_through_the_codec()
    {
        foreach (var (_, name) in Tags(typeof(Command)))
        {
            var type = typeof(Command).Assembly.GetTypes().Single(t => t.Name == name);
            var command = (Command)Activator.CreateInstance(type)!;
            var decoded = CommandCodec.TryDecode(CommandCodec.Encode(command));
            Assert.IsType(type, decoded);
        }
    }
}
