import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Polls URLs with HTTP/1.1 requests written straight on SwiftNIO channels: the lean path.
///
/// Each ``Poller`` gets its own ``NIOProbeSession``, which owns that poller's keep-alive connections
/// (at most one per host, since a poller makes one request at a time). Connections are never shared,
/// so no pool, lock or actor stands between a poll and its socket. Behaviour matches
/// ``AsyncHTTPClientProbe``: the deadline bounds the whole exchange (connect, TLS, response, body);
/// connecting alone (TCP and the TLS handshake) is bounded by the request's connect timeout and never
/// retried. A keep-alive connection the server closed while idle is replaced once, transparently. For https, every answer
/// carries the leaf certificate's expiry, read once per connection; a TLS connection is reused for at
/// most ``Settings/certificateRecheckInterval``, so that figure is never older than that.
public struct NIOProbe: Probe {
    /// What the probe is built with.
    public struct Settings: Sendable, Equatable {
        /// The most idle connections one session keeps (one per host; the least recently used goes first).
        public var idleConnectionsPerSession: Int
        /// How long a TLS connection is reused before a new one (and a fresh look at the certificate).
        public var certificateRecheckInterval: Duration

        public init(idleConnectionsPerSession: Int = 64, certificateRecheckInterval: Duration = .seconds(3600)) {
            self.idleConnectionsPerSession = idleConnectionsPerSession
            self.certificateRecheckInterval = certificateRecheckInterval
        }
    }

    let settings: Settings
    let group: any EventLoopGroup
    let tlsContext: NIOSSLContext
    let insecureTLSContext: NIOSSLContext
    /// One executor per event loop of the group; poller `i` runs on executor `i % count`, with its connections on the same loop.
    let executors: [EventLoopTaskExecutor]

    /// - Throws: if the TLS context cannot be created (no usable system trust store).
    public init(settings: Settings = Settings(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.settings = settings
        self.group = group
        self.tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
        var insecure = TLSConfiguration.makeClientConfiguration()
        insecure.certificateVerification = .none
        self.insecureTLSContext = try NIOSSLContext(configuration: insecure)
        self.executors = group.makeIterator().map(EventLoopTaskExecutor.init)
    }

    public func makeSession() -> any ProbeSession {
        NIOProbeSession(probe: self, eventLoop: group.next())
    }

    public func makeSession(forPoller index: Int) -> any ProbeSession {
        NIOProbeSession(probe: self, eventLoop: executors[index % executors.count].eventLoop)
    }

    public func executor(forPoller index: Int) -> (any TaskExecutor)? {
        executors[index % executors.count]
    }
}

/// One poller's connections and requests. Owned by that poller's task alone (it is not `Sendable`).
final class NIOProbeSession: ProbeSession {
    /// An idle keep-alive connection.
    private struct IdleConnection {
        let connection: Connection
        let lastUse: UInt64
    }

    /// An open connection: its channel, the handler that sends requests on it, and when it was opened.
    private struct Connection {
        let channel: any Channel
        let handler: NIOLoopBound<ResponseHandler>
        let openedAt: NIODeadline
    }

    private let probe: NIOProbe
    /// The loop every connection of this session lives on (the poller's, when it runs there).
    private let eventLoop: any EventLoop
    private var idle: [HTTPTarget.ConnectionKey: IdleConnection] = [:]
    private var uses: UInt64 = 0

    init(probe: NIOProbe, eventLoop: any EventLoop) {
        self.probe = probe
        self.eventLoop = eventLoop
    }

    deinit {
        close()
    }

    func close() {
        for idle in idle.values { idle.connection.channel.close(promise: nil) }
        idle.removeAll()
    }

    /// Sends one request, on this session's idle connection to the host if there is a live one.
    func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
        guard let target = HTTPTarget(url: request.url) else {
            throw UnsupportedURL(url: request.url)
        }
        var key = target.connection
        key.skipsVerification = key.isTLS && request.insecureTLS
        let head = RequestHead(method: request.method, target: target, headers: request.headers)
        if let connection = idle.removeValue(forKey: key)?.connection {
            let isFresh = !key.isTLS || NIODeadline.now() - connection.openedAt < TimeAmount(probe.settings.certificateRecheckInterval)
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
        on connection: Connection,
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
            keep(connection, for: key)
        } else {
            connection.channel.close(promise: nil)
        }
        return answer.exchange
    }

    private func keep(_ connection: Connection, for key: HTTPTarget.ConnectionKey) {
        if idle.count >= probe.settings.idleConnectionsPerSession, let oldest = idle.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            idle.removeValue(forKey: oldest)?.connection.channel.close(promise: nil)
        }
        uses &+= 1
        idle[key] = IdleConnection(connection: connection, lastUse: uses)
    }

    private func connect(_ key: HTTPTarget.ConnectionKey, connectTimeout: Duration, deadline: NIODeadline) async throws -> Connection {
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
            return Connection(channel: channel, handler: handler, openedAt: connectStart)
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
