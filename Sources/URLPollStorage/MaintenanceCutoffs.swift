import Foundation
import URLPollCore

/// The times one step of rollup and retention works with, in the stores' milliseconds: the same for
/// the SQLite and the PostgreSQL store. Pure.
struct MaintenanceCutoffs {
    let now: Int64
    /// Raw results older than this go (once their hour is rolled up).
    let results: Int64
    /// Hourly aggregates and ended outages older than this go.
    let aggregates: Int64
    /// Spans of known time (and dead runs) that ended before this go: a month of uptime and a day to spare.
    let coverage: Int64
    /// The start of the hour in progress: rollup stops before it.
    let currentHour: Int64
    /// The most raw results kept per URL.
    let resultsPerURL: Int64

    init(now: Date, policy: RetentionPolicy) {
        self.now = ResultEncoding.milliseconds(now)
        results = ResultEncoding.milliseconds(policy.resultCutoff(now: now))
        aggregates = ResultEncoding.milliseconds(policy.aggregateCutoff(now: now))
        coverage = ResultEncoding.milliseconds(now.addingTimeInterval(-(Uptime.Window.month.duration + 86_400)))
        currentHour = ResultEncoding.milliseconds(RetentionPolicy.hourStart(now))
        resultsPerURL = Int64(policy.resultsPerURL)
    }
}
