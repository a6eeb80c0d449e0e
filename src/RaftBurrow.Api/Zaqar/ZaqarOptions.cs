namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Limits and defaults of the Zaqar v2 front end, bound from the configuration section <c>Zaqar:</c>.
/// Defaults are Zaqar's (zaqar/conf/transport.py). Message ttl/delay defaults live in the state
/// machine's options because they shape replicated state.
/// </summary>
public sealed class ZaqarOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Zaqar";

    /// <summary>The message ttl the state machine applies when neither message nor queue gives one; only
    /// reported (GET queue shows it as <c>_default_message_ttl</c>). Keep it equal to the cluster's setting.</summary>
    public int DefaultMessageTtlSeconds { get; set; } = 3600;

    /// <summary>The message delay the state machine applies by default; only reported, like <see cref="DefaultMessageTtlSeconds"/>.</summary>
    public int DefaultMessageDelaySeconds { get; set; }

    /// <summary>Longest message ttl, seconds (the minimum is 60).</summary>
    public int MaxMessageTtlSeconds { get; set; } = 1_209_600;

    /// <summary>Longest message delay, seconds.</summary>
    public int MaxMessageDelaySeconds { get; set; } = 900;

    /// <summary>Claim ttl when the request gives none, seconds.</summary>
    public int DefaultClaimTtlSeconds { get; set; } = 300;

    /// <summary>Claim grace when the request gives none, seconds.</summary>
    public int DefaultClaimGraceSeconds { get; set; } = 60;

    /// <summary>Longest claim ttl, seconds (the minimum is 60).</summary>
    public int MaxClaimTtlSeconds { get; set; } = 43_200;

    /// <summary>Longest claim grace, seconds (the minimum is 60).</summary>
    public int MaxClaimGraceSeconds { get; set; } = 43_200;

    /// <summary>Most messages one claim or one pop may take.</summary>
    public int MaxMessagesPerClaimOrPop { get; set; } = 20;

    /// <summary>Messages claimed when the request gives no limit.</summary>
    public int DefaultMessagesPerClaim { get; set; } = 10;

    /// <summary>Largest page of messages (also the most ids in one get/delete by ids).</summary>
    public int MaxMessagesPerPage { get; set; } = 20;

    /// <summary>Page size of message listings when the request gives none.</summary>
    public int DefaultMessagesPerPage { get; set; } = 10;

    /// <summary>Largest page of queues.</summary>
    public int MaxQueuesPerPage { get; set; } = 20;

    /// <summary>Page size of queue listings when the request gives none.</summary>
    public int DefaultQueuesPerPage { get; set; } = 10;

    /// <summary>Largest page of subscriptions.</summary>
    public int MaxSubscriptionsPerPage { get; set; } = 20;

    /// <summary>Page size of subscription listings when the request gives none.</summary>
    public int DefaultSubscriptionsPerPage { get; set; } = 10;

    /// <summary>Largest queue metadata document, bytes.</summary>
    public int MaxQueueMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>Largest message POST body, bytes.</summary>
    public int MaxMessagesPostBytes { get; set; } = 256 * 1024;

    /// <summary>Subscription ttl when the request gives none, seconds.</summary>
    public int DefaultSubscriptionTtlSeconds { get; set; } = 3600;

    /// <summary>Subscriber URI schemes accepted (only http and https are delivered to).</summary>
    public string[] SubscriberTypes { get; set; } = ["http", "https", "mailto", "trust+http", "trust+https"];

    /// <summary>Most queues one project may hold; 0 = unlimited (a soft quota checked on PUT).</summary>
    public int MaxQueuesPerProject { get; set; }

    /// <summary>Longest <c>wait</c> of a long poll, seconds.</summary>
    public int MaxWaitSeconds { get; set; } = 20;

    /// <summary>Most long polls one node keeps parked; more answer 503 (each wake-up re-runs every parked query).</summary>
    public int MaxParkedWaiters { get; set; } = 10_000;

    /// <summary>HMAC-SHA256 key of pre-signed URLs; empty disables <c>POST /share</c> (400).
    /// Every node of a cluster needs the same key.</summary>
    public string SignedUrlSecretKey { get; set; } = "";

    /// <summary>Only confirmed subscriptions are notified when true (Zaqar's <c>require_confirmation</c>).</summary>
    public bool RequireSubscriptionConfirmation { get; set; }

    /// <summary>How often the webhook notifier looks for new messages when nothing changes, ms.</summary>
    public int WebhookPollIntervalMs { get; set; } = 1000;

    /// <summary>Deliveries of one message to one subscriber before it is given up.</summary>
    public int WebhookMaxAttempts { get; set; } = 5;

    /// <summary>First retry delay of a failed delivery, ms; it doubles per attempt.</summary>
    public int WebhookInitialBackoffMs { get; set; } = 500;

    /// <summary>Largest retry delay of a failed delivery, ms.</summary>
    public int WebhookMaxBackoffMs { get; set; } = 30_000;

    /// <summary>Timeout of one webhook POST, ms.</summary>
    public int WebhookTimeoutMs { get; set; } = 5000;

    /// <summary>Run the webhook notifier (on partitions this node leads).</summary>
    public bool EnableWebhookNotifier { get; set; } = true;

    /// <summary>Run the dead-letter mover (on partitions this node leads).</summary>
    public bool EnableDeadLetterMover { get; set; } = true;

    /// <summary>How often the dead-letter mover looks at the outbox when nothing changes, ms.</summary>
    public int DeadLetterPollIntervalMs { get; set; } = 1000;
}
