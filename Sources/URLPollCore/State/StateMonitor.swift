import Foundation

/// The single owner of the map url → latest state, and of the statistics about the polls.
///
/// Pollers send it ``State``s with ``record(_:)``; reporters ask it for a ``Report`` with ``report(at:)``
/// and for a ``RunSummary`` with ``summary(process:)``. Nothing else reads or writes the map: it lives
/// in this actor's ``StateTable`` and leaves only as copied values. Rendering happens outside the actor,
/// so a large report never holds up the pollers.
public actor StateMonitor {
    private var table: StateTable
    private var statistics: PollStatistics
    private let start: ContinuousClock.Instant

    /// A monitor in which every target is pending since now.
    public init(targets: TargetList) {
        table = StateTable(targets: targets, start: Date())
        start = .now
        statistics = PollStatistics(urlCount: targets.count, start: start)
    }

    /// Takes in the result of one poll.
    public func record(_ state: State) {
        let isFirstPoll = table.apply(state)
        statistics.record(state, isFirstPoll: isFirstPoll, at: .now)
    }

    /// A snapshot of every URL's state.
    public func report(at time: Date = Date()) -> Report {
        table.report(at: time)
    }

    /// The figures of the run so far, measured from the monitor's creation.
    public func summary(process: ProcessUsage) -> RunSummary {
        RunSummary(
            statistics: statistics,
            pollsPerURL: table.records.map(\.polls),
            elapsed: .now - start,
            process: process
        )
    }
}
