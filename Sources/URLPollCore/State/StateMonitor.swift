import Foundation

/// The single owner of the map url → latest state.
///
/// Pollers send it ``State``s with ``record(_:)``; reporters ask it for a ``Report`` with ``report(at:)``.
/// Nothing else reads or writes the map: it lives in this actor's ``StateTable`` and leaves only as
/// copied values. Rendering a report happens outside the actor, so a large report never holds up
/// the pollers.
public actor StateMonitor {
    private var table: StateTable

    /// A monitor in which every target is pending since `start`.
    public init(targets: TargetList, start: Date = Date()) {
        table = StateTable(targets: targets, start: start)
    }

    /// Takes in the result of one poll.
    public func record(_ state: State) {
        table.apply(state)
    }

    /// A snapshot of every URL's state.
    public func report(at time: Date = Date()) -> Report {
        table.report(at: time)
    }
}
