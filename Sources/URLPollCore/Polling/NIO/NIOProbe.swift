import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Polls URLs with HTTP/1.1 requests written straight on SwiftNIO channels: the lean path.
///
/// Each ``Poller`` gets its own ``NIOProbeSession`` and runs on an event loop of the group (see
/// ``executor(forPoller:)``). Idle keep-alive connections wait in a ``ConnectionPool`` per event loop,
/// shared by the pollers on that loop and touched only from its thread, so no lock or actor stands
/// between a poll and its socket, and a host gets about as many connections as it has polls in flight
/// (not one per poller). A session used off its loop keeps a pool of its own. Behaviour matches
/// ``AsyncHTTPClientProbe``: the deadline bounds the whole exchange (connect, TLS, response, body);
/// connecting alone (TCP and the TLS handshake) is bounded by the request's connect timeout and never
/// retried. A keep-alive connection the server closed while idle is replaced once, transparently. For https, every answer
/// carries the leaf certificate's expiry, read once per connection; a TLS connection is reused for at
/// most ``Settings/certificateRecheckInterval``, so that figure is never older than that.
public struct NIOProbe: Probe {
    /// What the probe is built with.
    public struct Settings: Sendable, Equatable {
        /// The most idle connections kept per event loop (and per session that runs off the loops); the
        /// least recently used go first.
        public var idleConnectionsPerLoop: Int
        /// How long a TLS connection is reused before a new one (and a fresh look at the certificate).
        public var certificateRecheckInterval: Duration
        /// How long a connection may wait unused in a pool before it is closed.
        public var idleConnectionTimeout: Duration

        public init(
            idleConnectionsPerLoop: Int = 2048,
            certificateRecheckInterval: Duration = .seconds(3600),
            idleConnectionTimeout: Duration = .seconds(90)
        ) {
            self.idleConnectionsPerLoop = idleConnectionsPerLoop
            self.certificateRecheckInterval = certificateRecheckInterval
            self.idleConnectionTimeout = idleConnectionTimeout
        }
    }

    let settings: Settings
    let group: any EventLoopGroup
    let tlsContext: NIOSSLContext
    let insecureTLSContext: NIOSSLContext
    /// One executor per event loop of the group; poller `i` runs on executor `i % count`, with its connections on the same loop.
    let executors: [EventLoopTaskExecutor]
    /// The idle connections of each event loop (index as in `executors`), closed when the last copy of
    /// this probe and its sessions are gone.
    let pools: SharedPools

    /// - Throws: if the TLS context cannot be created (no usable system trust store).
    public init(settings: Settings = Settings(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.settings = settings
        self.group = group
        self.tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
        var insecure = TLSConfiguration.makeClientConfiguration()
        insecure.certificateVerification = .none
        self.insecureTLSContext = try NIOSSLContext(configuration: insecure)
        self.executors = group.makeIterator().map(EventLoopTaskExecutor.init)
        self.pools = SharedPools(
            loops: executors.map(\.eventLoop),
            capacity: settings.idleConnectionsPerLoop,
            idleTimeout: TimeAmount(settings.idleConnectionTimeout)
        )
    }

    public func makeSession() -> any ProbeSession {
        NIOProbeSession(probe: self, eventLoop: group.next(), sharedPool: nil)
    }

    /// A session on the event loop of ``executor(forPoller:)``; while it runs there, it shares that
    /// loop's idle connections.
    public func makeSession(forPoller index: Int) -> any ProbeSession {
        let loop = index % executors.count
        return NIOProbeSession(probe: self, eventLoop: executors[loop].eventLoop, sharedPool: pools.boxes[loop])
    }

    public func executor(forPoller index: Int) -> (any TaskExecutor)? {
        executors[index % executors.count]
    }

    /// Alarms on the first event loop's timer: no timer thread to wake, and the woken scheduler runs
    /// where pollers run.
    public var alarmClock: any AlarmClock {
        EventLoopAlarmClock(executor: executors[0])
    }
}

/// The connection pools of a probe's event loops. Sendable: it holds only loop-bound boxes.
final class SharedPools: Sendable {
    let boxes: [NIOLoopBoundBox<ConnectionPool>]

    init(loops: [any EventLoop], capacity: Int, idleTimeout: TimeAmount) {
        boxes = loops.map {
            NIOLoopBoundBox.makeBoxSendingValue(ConnectionPool(capacity: capacity, idleTimeout: idleTimeout), eventLoop: $0)
        }
    }

    deinit {
        for box in boxes { box.eventLoop.execute { box.value.closeAll() } }
    }
}

/// One poller's requests. Owned by that poller's task alone (it is not `Sendable`).
final class NIOProbeSession: ProbeSession {
    private let probe: NIOProbe
    /// The loop every connection of this session lives on (the poller's, when it runs there).
    private let eventLoop: any EventLoop
    /// The loop's shared pool, used while the session runs on that loop.
    private let sharedPool: NIOLoopBoundBox<ConnectionPool>?
    /// The session's own pool, for requests made off the loop.
    private var ownPool: ConnectionPool?

    init(probe: NIOProbe, eventLoop: any EventLoop, sharedPool: NIOLoopBoundBox<ConnectionPool>?) {
        self.probe = probe
        self.eventLoop = eventLoop
        self.sharedPool = sharedPool
    }

    deinit {
        close()
    }

    /// Closes the connections of the session's own pool; those it returned to a shared pool stay there.
    func close() {
        ownPool?.closeAll()
        ownPool = nil
    }

    /// Where this request's idle connections are: the loop's pool when running on the loop.
    private var pool: ConnectionPool {
        if let sharedPool, sharedPool.eventLoop.inEventLoop { return sharedPool.value }
        if let ownPool { return ownPool }
        let pool = ConnectionPool(capacity: probe.settings.idleConnectionsPerLoop, idleTimeout: TimeAmount(probe.settings.idleConnectionTimeout))
        ownPool = pool
        return pool
    }

    /// Sends one request, on an idle connection to the host from the pool if there is a live one.
    func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
        guard let target = HTTPTarget(url: request.url) else {
            throw UnsupportedURL(url: request.url)
        }
        var key = target.connection
        key.skipsVerification = key.isTLS && request.insecureTLS
        let head = RequestHead(method: request.method, target: target, headers: request.headers)
        let now = NIODeadline.now()
        if let connection = pool.take(key, now: now) {
            let isFresh = !key.isTLS || now - connection.openedAt < TimeAmount(probe.settings.certificateRecheckInterval)
            if connection.channel.isActive && isFresh {
                do {
                    return try await send(head, request.bodyLimit, on: connection, key: key, deadline: deadline)
                } catch let error where Self.isStaleConnection(error) && NIODeadline.now() < deadline {
                    // The server closed the idle connection; try once more on a new one.
                }
            } else {
                connection.channel.close(promise: nil)
            }
        }
        let connection = try await connect(key, connectTimeout: request.connectTimeout, deadline: deadline)
        return try await send(head, request.bodyLimit, on: connection, key: key, deadline: deadline)
    }

    private func send(
        _ head: RequestHead,
        _ bodyLimit: Int,
        on connection: ProbeConnection,
        key: HTTPTarget.ConnectionKey,
        deadline: NIODeadline
    ) async throws -> ProbeExchange {
        let answer: ConnectionResponse
        do {
            answer = try await withCheckedThrowingContinuation { continuation in
                let pending = PendingRequest(head: head, deadline: deadline, bodyLimit: bodyLimit, response: continuation)
                // Directly when the poller runs on the connection's loop (it prefers that loop's executor),
                // one hop onto it otherwise; from there the handler keeps the deadline.
                let handler = connection.handler
                if handler.eventLoop.inEventLoop {
                    handler.value.send(pending)
                } else {
                    handler.eventLoop.execute { handler.value.send(pending) }
                }
            }
        } catch {
            connection.channel.close(promise: nil)
            throw error
        }
        if answer.isReusable {
            pool.put(connection, for: key)
        } else {
            connection.channel.close(promise: nil)
        }
        return answer.exchange
    }

    private func connect(_ key: HTTPTarget.ConnectionKey, connectTimeout: Duration, deadline: NIODeadline) async throws -> ProbeConnection {
        let connectStart = NIODeadline.now()
        let remaining = deadline - connectStart
        let timeout = min(TimeAmount(connectTimeout), remaining)
        guard timeout > .zero else { throw ConnectionFailure.timedOut }
        let tlsContext = key.skipsVerification ? probe.insecureTLSContext : probe.tlsContext
        // Ready when connected, for TLS when the handshake is done, so that its failure is reported as
        // such (not as a closed channel).
        let ready = eventLoop.makePromise(of: NIOLoopBound<ResponseHandler>.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if key.isTLS {
                        let isAddress = key.host.contains(":") || key.host.allSatisfy { $0.isNumber || $0 == "." }
                        try pipeline.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: isAddress ? nil : key.host))
                    }
                    try pipeline.addHandler(ResponseHandler(ready: ready, isTLS: key.isTLS))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: key.host, port: key.port).get()
        } catch {
            ready.fail(error)
            throw error
        }
        // The TLS handshake is part of connecting: bounded by the connect timeout as well as the poll's deadline.
        let readyDeadline = min(deadline, connectStart + TimeAmount(connectTimeout))
        let readyTimeout = channel.eventLoop.scheduleTask(deadline: readyDeadline) {
            ready.fail(readyDeadline < deadline ? ConnectionFailure.handshakeTimedOut : ConnectionFailure.timedOut)
        }
        defer { readyTimeout.cancel() }
        do {
            let handler = try await ready.futureResult.get()
            return ProbeConnection(channel: channel, handler: handler, openedAt: connectStart)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Whether `error` means the server had closed the idle connection before the request arrived.
    private static func isStaleConnection(_ error: any Error) -> Bool {
        if let failure = error as? ConnectionFailure { return failure == .closedBeforeResponse }
        if let error = error as? IOError { return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE }
        if let error = error as? ChannelError { return error == .ioOnClosedChannel || error == .alreadyClosed }
        return false
    }
}

/// A URL that is not http or https, or has no host.
struct UnsupportedURL: Error, CustomStringConvertible {
    let url: String
    var description: String { "unsupported URL \(url)" }
}
