import HeapModule

/// The sleeping and pending ``Resource``s, ordered by the time each is due.
///
/// A resource whose due time has passed is *pending*; the others are *sleeping*. Resources due at the
/// same instant leave in the order they were inserted, so no resource can be overtaken forever
/// (nothing starves at interval 0). A waiting resource costs one slot in an array indexed by
/// ``Resource/id`` and one 32-byte heap entry: no task, no timer, and no reference counting while the
/// heap reorders itself.
///
/// A pure value type: the ``Scheduler`` owns the only instance and passes it the current time.
struct SleepQueue {
    /// What the heap orders: when a resource is due, and which resource (by id).
    private struct Entry: Comparable {
        let due: ContinuousClock.Instant
        let sequence: UInt64
        let id: Int

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.due, lhs.sequence) < (rhs.due, rhs.sequence)
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.due == rhs.due && lhs.sequence == rhs.sequence
        }
    }

    private var heap = Heap<Entry>()
    /// The resources held, by id; `nil` where the resource is out (being polled) or unknown.
    private var parked: [Resource?] = []
    /// The sequence number of each held resource's heap entry. An entry with another number is stale:
    /// its resource was removed (and its id perhaps given to a new URL since); it is dropped, never
    /// obeyed, when it reaches the top.
    private var liveSequence: [UInt64] = []
    private var nextSequence: UInt64 = 0
    /// The number of resources held, sleeping or pending.
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    /// When the next resource is due, or `nil` if the queue is empty.
    var nextDue: ContinuousClock.Instant? { heap.min?.due }

    /// Number of resources whose due time is at or before `now` (O(n); for reports and tests).
    func pendingCount(at now: ContinuousClock.Instant) -> Int {
        heap.unordered.lazy.filter { $0.due <= now && isLive($0) }.count
    }

    private func isLive(_ entry: Entry) -> Bool {
        parked[entry.id] != nil && liveSequence[entry.id] == entry.sequence
    }

    /// Adds a resource that becomes pending at `due`; records `due` in ``Resource/dueAt``.
    ///
    /// - Precondition: the resource is not already in the queue (one live copy per id).
    mutating func insert(_ resource: Resource, due: ContinuousClock.Instant) {
        if resource.id >= parked.count {
            parked.append(contentsOf: repeatElement(nil, count: resource.id - parked.count + 1))
            liveSequence.append(contentsOf: repeatElement(0, count: resource.id - liveSequence.count + 1))
        }
        precondition(parked[resource.id] == nil, "resource \(resource.id) is already queued")
        var resource = resource
        resource.dueAt = due
        parked[resource.id] = resource
        liveSequence[resource.id] = nextSequence
        heap.insert(Entry(due: due, sequence: nextSequence, id: resource.id))
        nextSequence &+= 1
        count += 1
        dropStaleEntries()
    }

    /// Removes and returns the resource that has been due the longest, if any is due at `now`.
    mutating func popPending(at now: ContinuousClock.Instant) -> Resource? {
        guard let first = heap.min, first.due <= now else { return nil }
        let id = heap.removeMin().id
        defer {
            parked[id] = nil
            count -= 1
            dropStaleEntries()
        }
        return parked[id]
    }

    /// Takes the resource `id` out of the queue (it will not be polled again), if it is here.
    mutating func remove(id: Int) -> Resource? {
        guard parked.indices.contains(id), let resource = parked[id] else { return nil }
        parked[id] = nil
        count -= 1
        dropStaleEntries()
        return resource
    }

    /// Gives the queued resource `id` new options; `false` if it is not here (being polled, or unknown).
    mutating func update(id: Int, options: CheckOptions) -> Bool {
        guard parked.indices.contains(id), parked[id] != nil else { return false }
        parked[id]?.options = options
        return true
    }

    /// Keeps the heap's top a live entry, so that ``nextDue`` and ``popPending(at:)`` never see a removed
    /// one (nor the entry of a removed resource whose id a new one has taken).
    private mutating func dropStaleEntries() {
        while let top = heap.min, !isLive(top) {
            heap.removeMin()
        }
    }
}
