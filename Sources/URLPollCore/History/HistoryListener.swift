/// Whoever must see every history event after it is stored (the alert engine): the ``HistoryWriter``
/// hands it each batch once the batch is committed, in order, and waits for it. So nothing a listener
/// announces can be missing from the history.
public protocol HistoryListener: Sendable {
    func historyWritten(_ batch: [HistoryEvent]) async
}
