import NIOCore

/// An open probe connection: its channel, the handler that sends requests on it, when it was opened,
/// and the server's IP address.
struct PooledConnection {
    let channel: any Channel
    let handler: NIOLoopBound<ResponseHandler>
    let openedAt: NIODeadline
    let remoteAddress: String?
}

/// Idle keep-alive connections, by where they lead: a connection is either here or in the hands of the
/// one session that took it for a request, never both.
///
/// ``LeanHTTPClient`` keeps one pool per event loop, shared by the sessions that run on that loop (reached
/// through a `NIOLoopBoundBox`, so only from that loop's thread: no lock). A host then gets about as many
/// connections as it has requests in flight, instead of one per session. A session that runs elsewhere keeps
/// a pool of its own.
///
/// The most recently used connection to a host is handed out first, so the ones a busy host needs stay
/// warm and a surplus ages: the most recently used idle connection to a host is closed after
/// `idleTimeout` unused, every other one after `surplusIdleTimeout` (checked at most every half of that,
/// on a `take` or `put`). So the pool holds one warm connection per host plus what the last few seconds
/// needed at once, not what the busiest moment ever did, and open descriptors follow the load. The pool
/// holds at most `capacity` connections; when full, it closes the least recently used eighth.
final class ConnectionPool {
    private struct Idle {
        let connection: PooledConnection
        let lastUse: UInt64
        let since: NIODeadline
    }

    let capacity: Int
    let idleTimeout: TimeAmount
    let surplusIdleTimeout: TimeAmount
    private var idle: [HTTPTarget.ConnectionKey: [Idle]] = [:]
    private(set) var count = 0
    private var uses: UInt64 = 0
    private var nextSweep: NIODeadline

    init(capacity: Int, idleTimeout: TimeAmount = .seconds(90), surplusIdleTimeout: TimeAmount = .seconds(10), now: NIODeadline = .now()) {
        self.capacity = max(1, capacity)
        self.idleTimeout = idleTimeout
        self.surplusIdleTimeout = min(surplusIdleTimeout, idleTimeout)
        self.nextSweep = now + .nanoseconds(self.surplusIdleTimeout.nanoseconds / 2)
    }

    /// Takes the most recently used idle connection to `key`, if there is one.
    func take(_ key: HTTPTarget.ConnectionKey, now: NIODeadline = .now()) -> PooledConnection? {
        if now >= nextSweep { closeIdle(now: now) }
        guard let connection = idle[key]?.popLast()?.connection else { return nil }
        count -= 1
        if idle[key]?.isEmpty == true { idle[key] = nil }
        return connection
    }

    /// Keeps `connection` for the next request to `key`.
    func put(_ connection: PooledConnection, for key: HTTPTarget.ConnectionKey, now: NIODeadline = .now()) {
        if now >= nextSweep { closeIdle(now: now) }
        if count >= capacity { closeLeastRecentlyUsed(count - count * 7 / 8) }
        uses &+= 1
        idle[key, default: []].append(Idle(connection: connection, lastUse: uses, since: now))
        count += 1
    }

    /// Closes the connections idle for too long at `now`: the most recently used one of a host after
    /// ``idleTimeout``, the others after ``surplusIdleTimeout``.
    func closeIdle(now: NIODeadline) {
        nextSweep = now + .nanoseconds(surplusIdleTimeout.nanoseconds / 2)
        let oldest = now - idleTimeout
        let oldestSurplus = now - surplusIdleTimeout
        for key in Array(idle.keys) {
            let connections = idle[key]!
            // Each key's connections are in the order they were put back: the stale ones come first, and
            // the last one (the most recently used) may wait longer.
            var stale = connections.dropLast().prefix { $0.since < oldestSurplus }.count
            if stale == connections.count - 1, let last = connections.last, last.since < oldest { stale += 1 }
            guard stale > 0 else { continue }
            for connection in connections[..<stale] { connection.connection.channel.close(promise: nil) }
            count -= stale
            idle[key] = stale == connections.count ? nil : Array(connections[stale...])
        }
    }

    /// Closes every idle connection.
    func closeAll() {
        for connections in idle.values {
            for idle in connections { idle.connection.channel.close(promise: nil) }
        }
        idle.removeAll()
        count = 0
    }

    private func closeLeastRecentlyUsed(_ number: Int) {
        let all = idle.values.flatMap { $0.map(\.lastUse) }.sorted()
        let cutoff = all[min(max(number, 1), all.count) - 1]
        for key in Array(idle.keys) {
            let connections = idle[key]!
            let (stale, kept) = (connections.filter { $0.lastUse <= cutoff }, connections.filter { $0.lastUse > cutoff })
            for idle in stale { idle.connection.channel.close(promise: nil) }
            count -= stale.count
            idle[key] = kept.isEmpty ? nil : kept
        }
    }
}
