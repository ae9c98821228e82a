/// Where alert state is kept across restarts: what was announced to whom, and the deliveries not yet
/// made (the outbox).
///
/// The alert engine is the only writer. Its order of work is what makes a restart safe: the results that
/// decide an event are stored (by the history writer) before the event is; the event is stored here
/// (``save(_:queued:)``, one transaction with the announcements it changes) before it is sent; and it is
/// removed (``finish(_:)``) only after the receiver accepted it or it was given up. So a restart neither
/// announces an ongoing outage again nor forgets a recovery or an undelivered alert; a crash between a
/// delivery and its removal sends it again, with the same idempotency key.
///
/// A store several instances share (``isShared``) also decides which instance announces an event:
/// ``save(_:queued:)`` keeps only the deliveries whose announcement change it made itself (the first
/// `down` of an outage, the `recovered` that ends it, one `reminder` per repeat), in the transaction
/// that stores them, so however many instances see an event, one announces it.
public protocol AlertStore: Sendable {
    /// What an earlier run left: its announcements and its undelivered events, oldest first. A shared
    /// store hands out only the deliveries no live instance holds, and from then on this run holds them.
    func loadAlerts() async throws -> AlertLedger

    /// Stores announcement changes and new deliveries in one transaction.
    /// - Returns: the deliveries to send, with their ids in the outbox: all of `queued` (a store of one
    ///   instance), or those of them no other instance announced already (a shared store).
    func save(_ changes: AlertTracker.Changes, queued: [PendingDelivery]) async throws -> [PendingDelivery]

    /// Removes deliveries that are done (accepted, or given up).
    func finish(_ ids: [Int64]) async throws

    /// Whether other instances share this store (their announcements count as this one's).
    var isShared: Bool { get }

    /// The announcements made now, by any instance sharing the store.
    func announcements() async throws -> [AlertTracker.Announcement]

    /// Deliveries that instances which died left undelivered, now held by this run (none unless shared).
    func takeOrphanedDeliveries() async throws -> [PendingDelivery]
}

extension AlertStore {
    public var isShared: Bool { false }

    public func announcements() async throws -> [AlertTracker.Announcement] {
        try await loadAlerts().announcements
    }

    public func takeOrphanedDeliveries() async throws -> [PendingDelivery] { [] }
}

/// An event waiting to be delivered, with its place in the outbox.
public struct PendingDelivery: Sendable, Equatable {
    public let id: Int64
    public let event: AlertEvent

    public init(id: Int64, event: AlertEvent) {
        self.id = id
        self.event = event
    }
}

/// What an ``AlertStore`` holds.
public struct AlertLedger: Sendable, Equatable {
    public var announcements: [AlertTracker.Announcement]
    public var pending: [PendingDelivery]

    public init(announcements: [AlertTracker.Announcement] = [], pending: [PendingDelivery] = []) {
        self.announcements = announcements
        self.pending = pending
    }
}

/// An ``AlertStore`` in memory, for runs without a database (`--database none`): nothing survives a
/// restart, everything else behaves the same.
public actor MemoryAlertStore: AlertStore {
    private var announcements: [AlertTracker.Changes.Ended: AlertTracker.Announcement] = [:]
    private var pending: [Int64: AlertEvent] = [:]

    public init() {}

    public func loadAlerts() -> AlertLedger {
        AlertLedger(
            announcements: Array(announcements.values),
            pending: pending.sorted { $0.key < $1.key }.map { PendingDelivery(id: $0.key, event: $0.value) }
        )
    }

    public func save(_ changes: AlertTracker.Changes, queued: [PendingDelivery]) -> [PendingDelivery] {
        defer { for delivery in queued { pending[delivery.id] = delivery.event } }
        for announcement in changes.announced {
            announcements[.init(url: announcement.url, receiver: announcement.receiver)] = announcement
        }
        for ended in changes.ended { announcements[ended] = nil }
        return queued
    }

    public func finish(_ ids: [Int64]) {
        for id in ids { pending[id] = nil }
    }
}
