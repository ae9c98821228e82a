import Foundation

/// A snapshot of every URL's state at one moment: what each periodic report prints.
public struct Report: Sendable, Equatable {
    /// When the snapshot was taken.
    public let time: Date
    public let up: Int
    public let down: Int
    public let pending: Int
    /// Every URL, sorted by URL.
    public let urls: [URLRecord]
    /// Each URL's uptime, in the order of ``urls``; empty when no history is kept.
    public var uptime: [Uptime]
    /// For URLs with a quorum, every location's latest view, by ``URLRecord/id``.
    public var locations: [Int: [QuorumVerdict.View]] = [:]
    /// The alerting side's status (the self-check, held and queued alerts); `nil` without alert receivers.
    public var alerting: AlertStatusBoard.Status?

    public init(time: Date, up: Int, down: Int, pending: Int, urls: [URLRecord], uptime: [Uptime] = []) {
        self.time = time
        self.up = up
        self.down = down
        self.pending = pending
        self.urls = urls
        self.uptime = uptime
    }
}
