using System.Text.Json;
using System.Text.Json.Serialization;
using RaftBurrow.Client.Admin;
using RaftBurrow.Client.Burrow;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client;

/// <summary>Source-generated (reflection-free) serializers for every wire type.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = true)]
[JsonSerializable(typeof(QueueListPage))]
[JsonSerializable(typeof(QueueStats))]
[JsonSerializable(typeof(List<MetadataPatchOperation>))]
[JsonSerializable(typeof(PostMessagesBody))]
[JsonSerializable(typeof(PostMessagesResult))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(ClaimBody))]
[JsonSerializable(typeof(ClaimMessagesBody))]
[JsonSerializable(typeof(ClaimInfo))]
[JsonSerializable(typeof(Subscription))]
[JsonSerializable(typeof(SubscriptionPage))]
[JsonSerializable(typeof(SubscriptionRequest))]
[JsonSerializable(typeof(SubscriptionCreated))]
[JsonSerializable(typeof(PurgeBody))]
[JsonSerializable(typeof(ConfirmBody))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ClusterStatus))]
[JsonSerializable(typeof(AddNodeRequest))]
[JsonSerializable(typeof(List<BurrowMessage>))]
[JsonSerializable(typeof(BurrowMessage))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
