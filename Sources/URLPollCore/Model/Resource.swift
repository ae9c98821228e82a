/// One monitored URL and the count of its consecutive failed polls.
///
/// **Ownership.** A `Resource` lives in exactly one place at a time: in the ``Scheduler``'s queue
/// (sleeping or pending) or in the hands of the one ``Poller`` that took it with ``Scheduler/take()``.
/// The scheduler removes it from its queue when it hands it out, and the poller hands it back with
/// ``Scheduler/complete(_:)`` after sending the poll's ``State`` to the ``StateMonitor``. Nobody keeps
/// a copy in between, so holding the value is the right to change it, and one URL is never polled
/// twice at once. `Resource` is a `Sendable` value type: the compiler proves that no two tasks share
/// its memory; the scheduler's single queue makes sure there is only one live copy.
public struct Resource: Sendable {
    /// The position of this URL in the ``TargetList``: a dense id, also the key of the monitor's map.
    public let id: Int
    /// The URL (as configured, as requested and as shown).
    public let url: TargetURL
    /// How to poll it (shared, immutable; replaced when a reloaded configuration changes it).
    public var options: CheckOptions
    /// Polls of this URL so far; the first one is not late for anything.
    public var polls: Int
    /// When this resource was due to be polled; the scheduler sets it when it queues the resource.
    public var dueAt: ContinuousClock.Instant
    /// Stored in 32 bits (saturating) so that a resource stays small: the queue holds one per URL.
    private var failures: Int32
    /// Whether the server rejected HEAD (405 or 501) and the URL is polled with GET from then on.
    public var needsGET = false

    /// The longest URL urlpoll polls or follows a redirect to, in bytes (most servers refuse a longer
    /// request line).
    public static let maximumURLLength = 8192

    /// Polls in a row whose result was ``Health/down``; an ``Health/up`` poll resets it to zero.
    public var consecutiveFailures: Int {
        get { Int(failures) }
        set { failures = Int32(clamping: newValue) }
    }

    public init(id: Int, url: TargetURL, options: CheckOptions, consecutiveFailures: Int = 0, dueAt: ContinuousClock.Instant) {
        self.id = id
        self.url = url
        self.options = options
        self.failures = Int32(clamping: consecutiveFailures)
        self.polls = 0
        self.dueAt = dueAt
    }
}
