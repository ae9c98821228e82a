/// What a reloaded configuration changes in the set of monitored URLs. Pure.
///
/// A URL is identified by its text: a URL in both the running and the new list is *kept* (its state,
/// history and schedule stay; its options are replaced), one only in the running list is *removed*,
/// and one only in the new list is *added*, under the id of a removed URL when one is free (so that
/// reload churn does not grow memory forever), else a new one. An id is free only once the
/// ``Scheduler`` has the removed URL's resource back, after its last result reached the monitor, so
/// a late result for a removed URL can never be taken for another URL's.
public struct TargetChanges: Sendable {
    /// A URL in both lists: its id, and its options from the new list.
    public struct Kept: Sendable {
        public let id: Int
        public let options: CheckOptions
    }

    /// A URL only in the new list, with the id it gets.
    public struct Added: Sendable {
        public let id: Int
        public let url: TargetURL
        public let options: CheckOptions
        /// What the history remembers of the URL from when it was monitored before, if anything.
        public var restored: RestoredState?
    }

    public private(set) var kept: [Kept] = []
    public private(set) var added: [Added] = []
    /// Ids of the URLs only in the running list.
    public private(set) var removed: [Int] = []

    /// - Parameters:
    ///   - running: the ids of the URLs monitored now, by URL as configured.
    ///   - nextID: the first id never used.
    ///   - free: ids of earlier removed URLs that may be used again (``Scheduler/reusableIDs()``).
    ///   - new: the reloaded list.
    public init(running: [String: Int], nextID: Int, free: [Int] = [], new: TargetList) {
        var gone = running
        var id = nextID
        var free = free.sorted(by: >)
        for (url, options) in new.targets {
            if let existing = gone.removeValue(forKey: url.configured) {
                kept.append(Kept(id: existing, options: options))
            } else if let reused = free.popLast() {
                added.append(Added(id: reused, url: url, options: options))
            } else {
                added.append(Added(id: id, url: url, options: options))
                id += 1
            }
        }
        removed = gone.values.sorted()
    }

    /// Gives each added URL the state `states` remembers of it (a URL added back goes on where it was).
    public mutating func restore(from states: [String: RestoredState]) {
        for index in added.indices {
            added[index].restored = states[added[index].url.configured]
        }
    }

    /// `3 kept, 1 added, 1 removed`.
    public var summary: String {
        "\(kept.count) kept, \(added.count) added, \(removed.count) removed"
    }
}
