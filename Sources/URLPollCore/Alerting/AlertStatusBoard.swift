import Foundation

/// What the alerting side tells reports: whether urlpoll suspects its own network (and since when), how
/// many `down` announcements it holds back, and how many deliveries wait. The alert engine writes it;
/// the status page, `/api/status` and `/metrics` read it. An actor, so both sides may call it from
/// anywhere.
public actor AlertStatusBoard {
    public struct Status: Sendable, Equatable {
        /// Since when urlpoll suspects its own network; `nil` while it does not.
        public var suspectedSince: Date?
        /// URLs whose `down` is held back by the self-check.
        public var held = 0
        /// Outages announced and not yet recovered (URL × receiver).
        public var announced = 0
        /// Deliveries waiting, in all receivers' queues.
        public var queued = 0

        public init() {}

        public var suspected: Bool { suspectedSince != nil }
    }

    public private(set) var status = Status()

    public init() {}

    public func update(_ change: (inout Status) -> Void) {
        change(&status)
    }
}
