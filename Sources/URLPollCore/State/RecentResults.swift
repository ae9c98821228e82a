import Foundation

/// The last few poll results of one URL, oldest first, for sparklines and `/api/urls/{id}`.
///
/// A fixed-capacity ring: memory is reserved once (about 16 bytes a result), and appending never
/// allocates after that. A pure value type owned by the ``StateTable``.
public struct RecentResults: Sendable, Equatable {
    /// One poll, compactly.
    public struct Result: Sendable, Equatable {
        /// When the poll ended, in seconds since 1970.
        public let checkedAt: Double
        /// The poll's latency in microseconds.
        public let latencyMicroseconds: UInt32
        /// Whether the poll was up.
        public let up: Bool

        public init(checkedAt: Date, latency: Duration, up: Bool) {
            self.checkedAt = checkedAt.timeIntervalSince1970
            self.latencyMicroseconds = UInt32(clamping: PollStatistics.microseconds(latency))
            self.up = up
        }

        public var latency: Duration { .microseconds(Int64(latencyMicroseconds)) }
        public var date: Date { Date(timeIntervalSince1970: checkedAt) }
    }

    public let capacity: Int
    private var storage: [Result] = []
    private var next = 0

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    public mutating func append(_ result: Result) {
        guard capacity > 0 else { return }
        if storage.count < capacity {
            if storage.isEmpty { storage.reserveCapacity(capacity) }
            storage.append(result)
        } else {
            storage[next] = result
        }
        next = (next + 1) % capacity
    }

    /// The kept results, oldest first.
    public var results: [Result] {
        storage.count < capacity ? storage : Array(storage[next...] + storage[..<next])
    }
}
