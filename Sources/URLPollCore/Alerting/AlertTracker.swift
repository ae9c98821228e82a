import Foundation

/// Decides what to announce: a pure state machine over the stream of polls, one entry per URL that is
/// failing or announced (URLs that are simply up cost nothing).
///
/// - `down` once a URL has failed a rule's `failureThreshold` polls in a row (its ``PollRecord``'s
///   consecutive failures, which survive restarts), unless down announcements are being held (the
///   self-check suspects urlpoll's own network): then the URL waits, and ``releaseHeld(at:rules:)``
///   announces it if it is still down when the hold ends.
/// - `recovered` once an announced URL has answered a rule's `successThreshold` polls in a row (only if
///   the rule sends recoveries; the announcement ends either way).
/// - `reminder` every `repeatInterval` while announced (``dueReminders(at:rules:)``).
///
/// So N−1 failures announce nothing, and a URL that alternates between down and up never reaches a
/// threshold of 2 or more. What was announced to whom (``Announcement``) is what a restart must not
/// forget: the tracker records each change in ``pendingChanges`` for the caller to store.
public struct AlertTracker: Sendable {
    /// One announced outage: `down` was sent to `receiver` for `url` (as configured: what the store keys
    /// announcements by).
    public struct Announcement: Sendable, Equatable, Hashable {
        public let url: String
        public let receiver: String
        /// When the outage began.
        public let since: Date
        /// When it was last announced (`down` or `reminder`).
        public var lastSent: Date

        public init(url: String, receiver: String, since: Date, lastSent: Date) {
            self.url = url
            self.receiver = receiver
            self.since = since
            self.lastSent = lastSent
        }
    }

    /// What changed in the announcements since the last ``takeChanges()``: to store with the events.
    public struct Changes: Sendable, Equatable {
        /// Announcements made or renewed (by URL and receiver, the latest wins).
        public var announced: [Announcement] = []
        /// Announcements that ended: (url, receiver).
        public var ended: [Ended] = []

        public struct Ended: Sendable, Equatable, Hashable {
            public let url: String
            public let receiver: String
        }

        public var isEmpty: Bool { announced.isEmpty && ended.isEmpty }
    }

    /// The last failed poll of a URL: what a held or late announcement says.
    struct LastFailure: Sendable {
        let status: String
        let code: Int?
        let since: Date
        let failures: Int
        let name: String?
    }

    struct Entry: Sendable {
        /// The URL, for the events' shown form.
        var url: TargetURL
        var announced: [String: Announcement] = [:]
        var lastFailure: LastFailure?
        var successes = 0
        var firstSuccessAt: Date?
        var held = false
        var isIdle: Bool { announced.isEmpty && lastFailure == nil }
    }

    private var entries: [String: Entry] = [:]
    public private(set) var pendingChanges = Changes()

    public init() {}

    /// Takes back what an earlier run announced; `url` gives the monitored URL of a configured one (how
    /// its events show it).
    public mutating func restore(_ announcements: [Announcement], url: (String) -> TargetURL) {
        for announcement in announcements {
            entries[announcement.url, default: Entry(url: url(announcement.url))].announced[announcement.receiver] = announcement
        }
    }

    /// Takes the announcements every instance sharing the store made, as the store has them now: new
    /// ones are added, and those no longer there (another instance ended them) are dropped. A URL's
    /// failure and success counts stay, so a `recovered` is decided here if this instance's polls end
    /// an outage another one announced. Records no changes: the store already has them.
    public mutating func sync(_ announcements: [Announcement], url resolve: (String) -> TargetURL) {
        var current: [String: [String: Announcement]] = [:]
        for announcement in announcements { current[announcement.url, default: [:]][announcement.receiver] = announcement }
        for (url, var entry) in entries where !entry.announced.isEmpty && current[url] == nil {
            entry.announced = [:]
            entries[url] = entry.isIdle ? nil : entry
        }
        for (url, byReceiver) in current {
            entries[url, default: Entry(url: resolve(url))].announced = byReceiver
        }
    }

    /// Announcements made now (for the page and tests).
    public var announcements: [Announcement] {
        entries.values.flatMap { $0.announced.values }
    }

    /// How many announcements are made now.
    public var announcementCount: Int { entries.values.reduce(0) { $0 + $1.announced.count } }

    /// URLs whose `down` is held back now.
    public var heldCount: Int { entries.values.count(where: \.held) }

    /// Takes in one poll, in order, and returns what to announce. `rules` are the URL's (``AlertRouting``);
    /// with `holdingDown`, no `down` is announced (the URL is remembered as held instead).
    /// `rules` is evaluated only when the poll can matter (the URL is down, or was down or announced), so
    /// the polls of URLs that are simply up cost one dictionary lookup.
    public mutating func observe(
        _ poll: PollRecord,
        name: @autoclosure () -> String?,
        rules: @autoclosure () -> [AlertRule],
        holdingDown: Bool
    ) -> [AlertEvent] {
        if entries.isEmpty && poll.health != .down { return [] }
        let key = poll.url.configured
        guard let existing = entries[key] ?? (poll.health == .down ? Entry(url: poll.url) : nil) else { return [] }
        var entry = existing
        entry.url = poll.url
        let rules = rules()
        let name = name()
        var events: [AlertEvent] = []
        switch poll.health {
        case .down:
            entry.successes = 0
            entry.firstSuccessAt = nil
            let failure = LastFailure(status: poll.status, code: poll.code, since: poll.since, failures: poll.consecutiveFailures, name: name)
            entry.lastFailure = failure
            entry.held = false
            for rule in rules where entry.announced[rule.receiver] == nil && failure.failures >= rule.failureThreshold {
                if holdingDown {
                    entry.held = true
                } else {
                    events.append(announceDown(failure, to: rule.receiver, at: poll.checkedAt, in: &entry))
                }
            }
        case .up:
            entry.lastFailure = nil
            entry.held = false
            entry.successes += 1
            if entry.firstSuccessAt == nil { entry.firstSuccessAt = poll.checkedAt }
            for (receiver, announcement) in entry.announced {
                let rule = rules.first { $0.receiver == receiver }
                guard entry.successes >= (rule?.successThreshold ?? AlertRule.defaultSuccessThreshold) else { continue }
                entry.announced[receiver] = nil
                pendingChanges.ended.append(.init(url: key, receiver: receiver))
                guard rule?.sendOnRecovery ?? true else { continue }
                events.append(
                    AlertEvent(
                        kind: .recovered,
                        receiver: receiver,
                        url: poll.url,
                        name: name,
                        status: poll.status,
                        code: poll.code,
                        since: announcement.since,
                        endedAt: entry.firstSuccessAt,
                        failures: 0,
                        decidedAt: poll.checkedAt
                    )
                )
            }
        case .pending:
            break
        }
        entries[key] = entry.isIdle ? nil : entry
        return events
    }

    /// `down` for every held URL that is still down past a threshold: the hold has ended at `now`.
    public mutating func releaseHeld(at now: Date, rules: (String) -> [AlertRule]) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for (url, var entry) in entries where entry.held {
            entry.held = false
            if let failure = entry.lastFailure {
                for rule in rules(url) where entry.announced[rule.receiver] == nil && failure.failures >= rule.failureThreshold {
                    events.append(announceDown(failure, to: rule.receiver, at: now, in: &entry))
                }
            }
            entries[url] = entry
        }
        return events
    }

    /// A `reminder` for every announcement whose rule repeats and whose last announcement is at least
    /// `repeatInterval` old at `now`.
    public mutating func dueReminders(at now: Date, rules: (String) -> [AlertRule]) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for (url, var entry) in entries where !entry.announced.isEmpty {
            let urlRules = rules(url)
            for (receiver, var announcement) in entry.announced {
                guard let every = urlRules.first(where: { $0.receiver == receiver })?.repeatInterval,
                    now.timeIntervalSince(announcement.lastSent) >= every.seconds
                else { continue }
                announcement.lastSent = now
                entry.announced[receiver] = announcement
                pendingChanges.announced.append(announcement)
                let failure = entry.lastFailure
                events.append(
                    AlertEvent(
                        kind: .reminder,
                        receiver: receiver,
                        url: entry.url,
                        name: failure?.name,
                        status: failure?.status ?? "",
                        code: failure?.code,
                        since: announcement.since,
                        failures: failure?.failures ?? 0,
                        decidedAt: now
                    )
                )
            }
            entries[url] = entry
        }
        return events
    }

    /// Ends the announcements of URLs no longer monitored (a reload removed them), without a message.
    public mutating func forget(url: String) {
        guard let entry = entries.removeValue(forKey: url) else { return }
        for receiver in entry.announced.keys { pendingChanges.ended.append(.init(url: url, receiver: receiver)) }
    }

    /// The changes since the last call, and forgets them.
    public mutating func takeChanges() -> Changes {
        defer { pendingChanges = Changes() }
        return pendingChanges
    }

    private mutating func announceDown(_ failure: LastFailure, to receiver: String, at time: Date, in entry: inout Entry) -> AlertEvent {
        let url = entry.url
        let announcement = Announcement(url: url.configured, receiver: receiver, since: failure.since, lastSent: time)
        entry.announced[receiver] = announcement
        pendingChanges.announced.append(announcement)
        return AlertEvent(
            kind: .down,
            receiver: receiver,
            url: url,
            name: failure.name,
            status: failure.status,
            code: failure.code,
            since: failure.since,
            failures: failure.failures,
            decidedAt: time
        )
    }
}
