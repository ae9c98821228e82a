import Foundation
import URLPollCore

/// What one batch of ``HistoryEvent``s changes in the tables, as whole sets of rows: the PostgreSQL store
/// sends each set in one statement (arrays bound to `unnest`), so a batch costs the same few round trips
/// however many results it holds. Pure; made from the events and the ids the store knows.
///
/// The events' order is kept where it matters: a URL that goes down and up again within the batch gets
/// a whole outage row; a span of known time opened and closed within the batch is one closed row. Rows
/// that already exist are only ever closed (``coverageCloses``, ``incidentCloses``), and those statements
/// run before the inserts, so they never touch a row the batch itself made.
struct HistoryBatchPlan: Equatable {
    /// One new result row.
    struct Result: Equatable {
        var urlID: Int64
        var time: Int64
        var outcome: Int64
        var latency: Int64
        var statusID: Int64
    }

    /// A URL's last state after the batch, and how many results it gained.
    struct LastState: Equatable {
        var urlID: Int64
        var health: Int64
        var since: Int64
        var failures: Int64
        var checkedAt: Int64
        var outcome: Int64
        var latency: Int64
        var statusID: Int64
        var added: Int64
    }

    /// A row that ends an open span (of known time, or of an outage) that existed before the batch.
    struct Close: Equatable {
        var urlID: Int64
        var time: Int64
    }

    /// A new span of known time; `end` is `nil` while it stays open.
    struct Coverage: Equatable {
        var urlID: Int64
        var start: Int64
        var end: Int64?
    }

    /// A new outage; `upAt` is `nil` while it goes on.
    struct Outage: Equatable {
        var urlID: Int64
        var downAt: Int64
        var upAt: Int64?
        var statusID: Int64
    }

    var results: [Result] = []
    var lastStates: [LastState] = []
    var coverageCloses: [Close] = []
    var coverageOpens: [Coverage] = []
    var incidentCloses: [Close] = []
    var incidentOpens: [Outage] = []
    /// Each URL's last result time after the batch (a result time is unique per URL).
    var lastTimes: [Int64: Int64] = [:]

    /// The plan of `events`, with `urlIDs` and `statusIDs` for every URL and status text they name (a
    /// removed URL without an id is skipped: the store never knew it) and `lastTimes` of the URLs.
    init(events: [HistoryEvent], urlIDs: [String: Int64], statusIDs: [String: Int64], lastTimes: [Int64: Int64]) {
        var openCoverage: [Int64: Int] = [:]
        var openOutage: [Int64: Int] = [:]
        var closedCoverage: Set<Int64> = []
        var closedOutage: Set<Int64> = []
        var states: [Int64: Int] = [:]
        for event in events {
            switch event {
            case .polled(let record):
                guard let urlID = urlIDs[record.url.configured], let statusID = statusIDs[record.status] else { continue }
                var time = ResultEncoding.milliseconds(record.checkedAt)
                if let last = self.lastTimes[urlID] ?? lastTimes[urlID], time <= last { time = last + 1 }
                self.lastTimes[urlID] = time
                let outcome = ResultEncoding.outcome(health: record.health, method: record.method, code: record.code)
                let latency = max(0, record.latency.wholeMicroseconds)
                results.append(Result(urlID: urlID, time: time, outcome: outcome, latency: latency, statusID: statusID))
                let state = LastState(
                    urlID: urlID,
                    health: ResultEncoding.value(record.health),
                    since: ResultEncoding.milliseconds(record.since),
                    failures: Int64(record.consecutiveFailures),
                    checkedAt: time,
                    outcome: outcome,
                    latency: latency,
                    statusID: statusID,
                    added: 1
                )
                if let index = states[urlID] {
                    let added = lastStates[index].added + 1
                    lastStates[index] = state
                    lastStates[index].added = added
                } else {
                    states[urlID] = lastStates.count
                    lastStates.append(state)
                }
                if record.isFirstInRun {
                    endCoverage(urlID, at: time, open: &openCoverage, closed: &closedCoverage)
                    openCoverage[urlID] = coverageOpens.count
                    coverageOpens.append(Coverage(urlID: urlID, start: time, end: nil))
                }
                if record.health == .down && record.previous != .down {
                    openOutage[urlID] = incidentOpens.count
                    incidentOpens.append(Outage(urlID: urlID, downAt: time, upAt: nil, statusID: statusID))
                } else if record.health == .up && record.previous == .down {
                    if let index = openOutage.removeValue(forKey: urlID) {
                        incidentOpens[index].upAt = time
                    } else if closedOutage.insert(urlID).inserted {
                        incidentCloses.append(Close(urlID: urlID, time: time))
                    }
                }
            case .removed(let removedURL, let at):
                let url = removedURL.configured
                guard let urlID = urlIDs[url] else { continue }
                endCoverage(urlID, at: ResultEncoding.milliseconds(at), open: &openCoverage, closed: &closedCoverage)
            }
        }
    }

    /// Ends `urlID`'s open span of known time at `time`: the batch's own, or (once) the stored one.
    private mutating func endCoverage(_ urlID: Int64, at time: Int64, open: inout [Int64: Int], closed: inout Set<Int64>) {
        if let index = open.removeValue(forKey: urlID) {
            coverageOpens[index].end = time
        } else if closed.insert(urlID).inserted {
            coverageCloses.append(Close(urlID: urlID, time: time))
        }
    }
}
