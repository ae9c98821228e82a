/// The per-URL Prometheus series of one URL: polls by result and a histogram of poll durations.
///
/// A pure value type kept by the ``StateTable`` next to each URL's record (only when metrics are
/// served). Recording a poll touches a few integers; nothing allocates.
public struct URLSeries: Sendable, Equatable {
    /// Upper bounds (seconds) of the duration buckets, as Prometheus' client libraries use by default.
    public static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public private(set) var upPolls: UInt64 = 0
    public private(set) var downPolls: UInt64 = 0
    /// Polls whose duration was at most each bound (cumulative, as exposed).
    public private(set) var bucketCounts = [UInt64](repeating: 0, count: bucketBounds.count)
    /// The sum of all poll durations, in seconds.
    public private(set) var durationSum: Double = 0

    public init() {}

    public var count: UInt64 { upPolls + downPolls }

    public mutating func record(up: Bool, duration: Duration) {
        if up { upPolls += 1 } else { downPolls += 1 }
        let seconds = duration.seconds
        durationSum += seconds
        for index in bucketCounts.indices where seconds <= Self.bucketBounds[index] {
            bucketCounts[index] += 1
        }
    }
}
