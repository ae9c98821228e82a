/// Where ``Poller``s take due ``Resource``s and hand them back: the ``Scheduler`` itself, or, when several
/// instances share one schedule, the ``ClaimGate`` in front of it.
///
/// Contract for every source: a resource handed out by ``take()`` (or ``completeAndTake(_:)``) belongs
/// to the calling poller until it passes it back; the source keeps no copy meanwhile. `nil` means the
/// source is closed and the poller stops.
public protocol ResourceSource: Sendable {
    /// The next resource to poll, waiting until one is due; `nil` once the source is closed.
    func take() async -> Resource?

    /// Hands back a polled resource (after its result went to the ``StateMonitor``) and takes the next.
    func completeAndTake(_ resource: Resource) async -> Resource?
}

extension Scheduler: ResourceSource {}
