/// What the state owner's history outbox does when it is full (the store has not taken a batch for a
/// while).
public enum HistoryOverflow: Sendable, Equatable {
    /// Polls wait for room: nothing is dropped, polling pauses (a local SQLite file: a stall is short).
    case wait
    /// Polling goes on and the oldest queued results are dropped, a tenth of the outbox at a time, and
    /// counted (a database server that may be away for long: the newest results, which decide the
    /// current state and alerts, are the ones kept).
    case dropOldest
}
