import DequeModule
import Foundation

/// The self-check: decides from the latest polls whether urlpoll's own network is the likely culprit.
///
/// It looks at the latest poll of every URL polled within ``Rule/window``: when at least
/// ``Rule/minimumURLs`` URLs were polled and at least ``Rule/share`` of them failed without any answer
/// (refused, timed out, DNS, TLS: a *transport* failure, no HTTP status), it suspects the network.
/// An HTTP error status is an answer, so a server returning 500 never looks like a network outage.
/// With a `connectivity-check` URL, only that URL's latest poll counts (``observeConnectivityCheck``).
/// A pure value; the caller gives the time.
public struct ConnectivityJudge: Sendable {
    public struct Rule: Sendable, Equatable {
        /// The fewest URLs that must have been polled in the window before anything is suspected.
        public var minimumURLs: Int
        /// The share of those whose latest poll failed without an answer (0 < share ≤ 1).
        public var share: Double
        /// How far back polls count.
        public var window: Duration
        /// Whether a `connectivity-check` URL decides instead.
        public var usesConnectivityCheck: Bool

        public static let defaultMinimumURLs = 3
        public static let defaultWindow: Duration = .seconds(20)

        public init(
            minimumURLs: Int = Rule.defaultMinimumURLs,
            share: Double = 1,
            window: Duration = Rule.defaultWindow,
            usesConnectivityCheck: Bool = false
        ) {
            self.minimumURLs = minimumURLs
            self.share = share
            self.window = window
            self.usesConnectivityCheck = usesConnectivityCheck
        }
    }

    public let rule: Rule
    /// The latest poll of each URL in the window: when, and whether it failed without an answer.
    private var latest: [String: (at: Date, transportFailure: Bool)] = [:]
    /// Every poll in the window, oldest first, to expire ``latest``.
    private var polls: Deque<(at: Date, url: String)> = []
    private var failing = 0
    private var checkFailed = false

    public init(rule: Rule = Rule()) {
        self.rule = rule
    }

    /// Takes in one poll of a monitored URL at `time` (in time order).
    public mutating func observe(url: String, at time: Date, transportFailure: Bool) {
        guard !rule.usesConnectivityCheck else { return }
        if let previous = latest[url], previous.transportFailure { failing -= 1 }
        latest[url] = (time, transportFailure)
        if transportFailure { failing += 1 }
        polls.append((time, url))
        expire(before: time.addingTimeInterval(-rule.window.seconds))
    }

    /// Takes in a poll of the `connectivity-check` URL: its failure alone means suspicion.
    public mutating func observeConnectivityCheck(failed: Bool) {
        checkFailed = failed
    }

    /// Whether urlpoll suspects its own network at `now`.
    public mutating func suspects(at now: Date) -> Bool {
        if rule.usesConnectivityCheck { return checkFailed }
        expire(before: now.addingTimeInterval(-rule.window.seconds))
        let polled = latest.count
        return polled >= rule.minimumURLs && Double(failing) >= rule.share * Double(polled)
    }

    /// Whether a poll's result is a transport failure: down with no HTTP status at all.
    public static func isTransportFailure(health: Health, code: Int?) -> Bool {
        health == .down && code == nil
    }

    private mutating func expire(before limit: Date) {
        while let oldest = polls.first, oldest.at < limit {
            polls.removeFirst()
            if let entry = latest[oldest.url], entry.at == oldest.at {
                latest[oldest.url] = nil
                if entry.transportFailure { failing -= 1 }
            }
        }
    }
}
