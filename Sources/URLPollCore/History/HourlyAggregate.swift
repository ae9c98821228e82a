import Foundation

/// One URL's polls in one hour, summed up: what remains of its results once they are past retention.
/// Pure: made from the hour's results.
public struct HourlyAggregate: Sendable, Equatable {
    public let hour: Date
    public let polls: Int
    public let failures: Int
    public let latencySum: Duration
    public let latencyMin: Duration
    public let latencyMax: Duration
    /// The 95th percentile of the hour's latencies (nearest rank).
    public let latencyP95: Duration

    public init(hour: Date, polls: Int, failures: Int, latencySum: Duration, latencyMin: Duration, latencyMax: Duration, latencyP95: Duration) {
        self.hour = hour
        self.polls = polls
        self.failures = failures
        self.latencySum = latencySum
        self.latencyMin = latencyMin
        self.latencyMax = latencyMax
        self.latencyP95 = latencyP95
    }

    /// The aggregate of `results` (all from `hour`); `nil` for none.
    public init?(hour: Date, results: [(health: Health, latency: Duration)]) {
        guard !results.isEmpty else { return nil }
        let latencies = results.map(\.latency).sorted()
        self.hour = hour
        polls = results.count
        failures = results.filter { $0.health != .up }.count
        latencySum = latencies.reduce(.zero, +)
        latencyMin = latencies[0]
        latencyMax = latencies[latencies.count - 1]
        latencyP95 = Self.percentile(0.95, of: latencies)
    }

    /// The nearest-rank percentile of sorted values.
    public static func percentile(_ share: Double, of sorted: [Duration]) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((share * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
