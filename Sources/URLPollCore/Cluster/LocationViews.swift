import Foundation

/// What every location sees of the URLs with a quorum (`quorum: N`), and the verdict each poll of
/// them makes: the poll is this location's view, the others come from the shared database, and the
/// URL's health is ``QuorumVerdict``'s.
///
/// A pure value: the ``StateMonitor`` owns the one live instance (in its ``StateTable``), so a poll's
/// verdict and the views it used change together. URLs without a quorum cost nothing here.
public struct LocationViews: Sendable {
    /// The location of this instance (`--location`): its polls are this location's view.
    public let location: String
    private var rules: [Int: Rule] = [:]
    private var views: [Int: [QuorumVerdict.View]] = [:]

    private struct Rule {
        let quorum: Int
        let freshness: Duration
    }

    public init(location: String) {
        self.location = location
    }

    /// Follows URL `id`'s options: a quorum makes it judged here; none forgets its views. (Options
    /// without an interval are built by hand: their views count for the least freshness, a minute.)
    public mutating func follow(id: Int, options: CheckOptions) {
        guard let quorum = options.quorum else {
            rules[id] = nil
            views[id] = nil
            return
        }
        rules[id] = Rule(quorum: quorum, freshness: QuorumVerdict.freshness(interval: options.interval ?? .zero))
    }

    /// Forgets URL `id` (removed by a reload).
    public mutating func forget(id: Int) {
        rules[id] = nil
        views[id] = nil
    }

    /// Whether URL `id` has a quorum.
    public func hasQuorum(_ id: Int) -> Bool {
        rules[id] != nil
    }

    /// Each location's latest view of URL `id`, by location (empty without a quorum).
    public func views(of id: Int) -> [QuorumVerdict.View] {
        views[id] ?? []
    }

    /// Takes a view recorded elsewhere (another instance, in this location or another), if it is newer
    /// than the one kept for its location. Returns whether it was taken.
    @discardableResult
    public mutating func note(_ view: QuorumVerdict.View, id: Int) -> Bool {
        guard rules[id] != nil else { return false }
        var list = views[id] ?? []
        if let index = list.firstIndex(where: { $0.location == view.location }) {
            guard list[index].checkedAt < view.checkedAt else { return false }
            list[index] = view
        } else {
            list.append(view)
            list.sort { $0.location < $1.location }
        }
        views[id] = list
        return true
    }

    /// A poll of a URL with a quorum: its result becomes this location's view, and the state returned
    /// carries the verdict of every fresh view (health, and a status that says who sees what when the
    /// verdict is not this location's). For other URLs: the state as it is, and no view.
    public mutating func judge(_ state: State) -> (state: State, view: QuorumVerdict.View?) {
        guard !rules.isEmpty, let rule = rules[state.resourceID] else { return (state, nil) }
        let own = QuorumVerdict.View(location: location, health: state.health, checkedAt: state.checkedAt, status: state.status)
        note(own, id: state.resourceID)
        let verdict = QuorumVerdict(views: views(of: state.resourceID), quorum: rule.quorum, freshness: rule.freshness, now: state.checkedAt)
        guard verdict.health != state.health, verdict.health != .pending else { return (state, own) }
        let status =
            verdict.health == .down
            ? "down from \(verdict.downAt.map(Self.name).joined(separator: ", ")) (quorum \(rule.quorum)); \(state.status) from \(Self.name(location))"
            : "\(state.status) from \(verdict.downAt.map(Self.name).joined(separator: ", ")) only (quorum \(rule.quorum))"
        return (state.judged(health: verdict.health, status: status), own)
    }

    /// A location as status texts and pages name it (instances started without `--location` share the
    /// unnamed one).
    public static func name(_ location: String) -> String {
        location.isEmpty ? "(unnamed location)" : location
    }
}

extension State {
    /// This state with another health and status (a quorum's verdict); everything else as polled.
    func judged(health: Health, status: String) -> State {
        State(
            resourceID: resourceID,
            health: health,
            status: status,
            code: code,
            latency: latency,
            checkedAt: checkedAt,
            consecutiveFailures: consecutiveFailures,
            method: method,
            lateness: lateness,
            certificateExpiry: certificateExpiry,
            phases: phases,
            remoteAddress: remoteAddress
        )
    }
}
