import DequeModule

/// The outbox of ``HistoryEvent``s a ``StateMonitor`` keeps for the history writer: its bounded queue and
/// who waits on it. Owned by the monitor actor, so it needs no lock.
struct HistoryOutbox {
    let capacity: Int
    let overflow: HistoryOverflow
    /// The queued events, oldest first (an array, so that the writer takes a whole batch by a swap).
    var events: [HistoryEvent] = []
    var waitingRecorders: Deque<CheckedContinuation<Void, Never>> = []
    var waitingWriter: (continuation: CheckedContinuation<Void, Never>, minimum: Int)?
    var isClosed = false
    /// How often a poll had to wait for room.
    var fullWaits = 0
    /// Events dropped for room (``HistoryOverflow/dropOldest``).
    var dropped = 0
    /// Events ever queued.
    var appended = 0

    init(capacity: Int, overflow: HistoryOverflow = .wait) {
        self.capacity = max(1, capacity)
        self.overflow = overflow
    }

    /// Whether a new event must wait for room.
    var isFull: Bool { !isClosed && events.count >= capacity }

    /// Whether the waiting writer wants to be woken now.
    var writerIsDue: Bool {
        guard let writer = waitingWriter else { return false }
        return events.count >= writer.minimum
    }
}

extension StateMonitor {
    /// Adds `event` to the outbox; while it is full, first waits for room (or, with
    /// ``HistoryOverflow/dropOldest``, makes room).
    /// (Called for every poll: the outbox is read and changed in place, never copied.)
    func enqueueHistory(_ event: HistoryEvent) async {
        while historyOutbox?.isFull == true {
            if historyOutbox?.overflow == .dropOldest {
                dropOldestHistory()
                break
            }
            historyOutbox?.fullWaits += 1
            await withCheckedContinuation { historyOutbox?.waitingRecorders.append($0) }
        }
        historyOutbox?.events.append(event)
        historyOutbox?.appended += 1
        if historyOutbox?.writerIsDue == true { wakeHistoryWriter() }
    }

    /// Up to `maximum` history events, oldest first: at once when `maximum` are there; otherwise as soon
    /// as `deadline` has passed with at least one there; an empty batch only once the outbox is closed
    /// and drained, when the calling task is cancelled, or when no history is kept.
    public func nextHistoryBatch(maximum: Int, deadline: ContinuousClock.Instant) async -> [HistoryEvent] {
        while let outbox = historyOutbox, !Task.isCancelled {
            let count = outbox.events.count
            if count >= maximum || (count > 0 && (clock.now >= deadline || outbox.isClosed)) {
                return takeHistory(maximum)
            }
            if outbox.isClosed { return [] }
            // Wait for the batch to fill, or (when something is queued) for the deadline, or cancellation.
            let alarm = count == 0 ? nil : clock.set(at: deadline) { await self.wakeHistoryWriter() }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    historyOutbox?.waitingWriter = (continuation, count == 0 ? 1 : maximum)
                }
            } onCancel: {
                Task { await self.wakeHistoryWriter() }
            }
            alarm?.cancel()
        }
        return []
    }

    /// Ends the outbox: the writer gets what is queued, then an empty batch; polls no longer wait.
    public func closeHistory() {
        historyOutbox?.isClosed = true
        wakeHistoryWriter()
        while let recorder = historyOutbox?.waitingRecorders.popFirst() { recorder.resume() }
    }

    /// Events queued for the history, how often a poll had to wait for room, and how many events were
    /// dropped for room.
    public var historyBacklog: (queued: Int, fullWaits: Int, dropped: Int) {
        (historyOutbox?.events.count ?? 0, historyOutbox?.fullWaits ?? 0, historyOutbox?.dropped ?? 0)
    }

    /// How many events the writer should have taken so far: every one queued, but those dropped for room.
    public var historyEventsToWrite: Int {
        (historyOutbox?.appended ?? 0) - (historyOutbox?.dropped ?? 0)
    }

    /// Makes room by dropping the oldest tenth of the outbox (one move for many polls, not one per poll).
    private func dropOldestHistory() {
        guard var outbox = historyOutbox else { return }
        historyOutbox = nil  // moved out while it is changed, so the array is not copied
        let count = min(max(1, outbox.capacity / 10), outbox.events.count)
        outbox.events.removeFirst(count)
        outbox.dropped += count
        historyOutbox = outbox
    }

    private func wakeHistoryWriter() {
        guard let writer = historyOutbox?.waitingWriter else { return }
        historyOutbox?.waitingWriter = nil
        writer.continuation.resume()
    }

    private func takeHistory(_ maximum: Int) -> [HistoryEvent] {
        guard var outbox = historyOutbox else { return [] }
        historyOutbox = nil  // moved out while it is changed, so the arrays are not copied
        let batch: [HistoryEvent]
        if outbox.events.count <= maximum {
            batch = outbox.events
            outbox.events = []
            outbox.events.reserveCapacity(batch.count)
        } else {
            batch = Array(outbox.events.prefix(maximum))
            outbox.events.removeFirst(batch.count)
        }
        var resumed: [CheckedContinuation<Void, Never>] = []
        while outbox.events.count + resumed.count < outbox.capacity, let recorder = outbox.waitingRecorders.popFirst() {
            resumed.append(recorder)
        }
        historyOutbox = outbox
        for recorder in resumed { recorder.resume() }
        return batch
    }
}
