import Foundation

/// How much history is kept: raw results for ``resultAge`` and at most ``resultsPerURL`` per URL (so a
/// large list at a short interval cannot fill the disk), hourly aggregates and outages for
/// ``aggregateAge``. Pure: the cut-off times are computed here, the store applies them.
public struct RetentionPolicy: Sendable, Equatable {
    public var resultAge: Duration
    public var resultsPerURL: Int
    public var aggregateAge: Duration

    /// 7 days of results, at most 10,080 per URL (a week at one a minute), 400 days of aggregates.
    public init(resultAge: Duration = .seconds(7 * 86_400), resultsPerURL: Int = 10_080, aggregateAge: Duration = .seconds(400 * 86_400)) {
        self.resultAge = resultAge
        self.resultsPerURL = resultsPerURL
        self.aggregateAge = aggregateAge
    }

    /// Results checked before this are removed.
    public func resultCutoff(now: Date) -> Date {
        now.addingTimeInterval(-resultAge.seconds)
    }

    /// Aggregates of hours before this, and outages that ended before it, are removed.
    public func aggregateCutoff(now: Date) -> Date {
        now.addingTimeInterval(-aggregateAge.seconds)
    }

    /// The start of the hour `date` falls in (UTC).
    public static func hourStart(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
    }
}
