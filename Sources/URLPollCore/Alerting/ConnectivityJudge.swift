import DequeModule
import Foundation

/// The self-check: decides from the latest polls whether urlpoll's own network is the likely culprit.
///
/// It looks at the polls of the last ``Rule/window``: the URLs whose latest poll failed without any
/// answer (refused, timed out, DNS, TLS: a *transport* failure, no HTTP status), each counted once, and
/// the polls that got an answer. When at least ``Rule/minimumURLs`` URLs are failing so and they make at
/// least ``Rule/share`` of the two together, it suspects the network (at the default share of 100 %: no
/// answer at all in the window). An HTTP error status is an answer, so a server returning 500 never looks
/// like a network outage. With a `connectivity-check` URL, only that URL's latest poll counts
/// (``observeConnectivityCheck(failed:)``).
///
/// Cheap on the poll path: an answered poll adds one to a per-second counter, and looks up its URL only
/// while some URL is failing; only failing URLs are kept by name. A pure value; the caller gives the time.
public struct ConnectivityJudge: Sendable {
    public struct Rule: Sendable, Equatable {
        /// The fewest URLs failing without an answer before anything is suspected.
        public var minimumURLs: Int
        /// The share of the window's polls (each failing URL once) that failed without an answer (0 < share ≤ 1).
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
    /// URLs whose latest poll in the window failed without an answer, with that poll's time.
    private var failing: [String: Date] = [:]
    /// The failing polls in time order, to expire ``failing`` without scanning it.
    private var failures: Deque<(at: Date, url: String)> = []
    /// Answered polls per whole second (oldest first), for the window's count.
    private var answers: Deque<(second: Int64, count: Int)> = []
    private var answered = 0
    private var checkFailed = false

    public init(rule: Rule = Rule()) {
        self.rule = rule
    }

    /// Takes in one poll of a monitored URL at `time` (in time order).
    public mutating func observe(url: String, at time: Date, transportFailure: Bool) {
        guard !rule.usesConnectivityCheck else { return }
        if transportFailure {
            failing[url] = time
            failures.append((time, url))
        } else {
            if !failing.isEmpty { failing[url] = nil }
            let second = Int64(time.timeIntervalSince1970.rounded(.down))
            if let last = answers.last, last.second == second {
                answers[answers.count - 1].count += 1
            } else {
                answers.append((second, 1))
            }
            answered += 1
        }
    }

    /// Takes in a poll of the `connectivity-check` URL: its failure alone means suspicion.
    public mutating func observeConnectivityCheck(failed: Bool) {
        checkFailed = failed
    }

    /// Whether urlpoll suspects its own network at `now`.
    public mutating func suspects(at now: Date) -> Bool {
        if rule.usesConnectivityCheck { return checkFailed }
        let limit = now.addingTimeInterval(-rule.window.seconds)
        while let oldest = answers.first, Double(oldest.second + 1) <= limit.timeIntervalSince1970 {
            answered -= oldest.count
            answers.removeFirst()
        }
        while let oldest = failures.first, oldest.at < limit {
            failures.removeFirst()
            if failing[oldest.url] == oldest.at { failing[oldest.url] = nil }
        }
        return failing.count >= rule.minimumURLs && Double(failing.count) >= rule.share * Double(failing.count + answered)
    }

    /// Whether a poll's result is a transport failure: down with a ``FailureKind`` that says the target
    /// could not be reached (kinds other than HTTP say), or, for HTTP, down with no status at all.
    public static func isTransportFailure(health: Health, code: Int?, failure: FailureKind? = nil) -> Bool {
        guard health == .down else { return false }
        if let failure { return failure.isTransport }
        return code == nil
    }
}
