import Foundation
import Logging
import NIOCore
import NIOHTTP1
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
        let channel: any Channel
        let openedAt: NIODeadline
        let lastUse: UInt64
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
        for connection in idle.values { connection.channel.close(promise: nil) }
        idle.removeAll()
    }

    /// Sends one request, on this session's idle connection to the host if there is a live one.
    func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
        guard let target = HTTPTarget(url: request.url) else {
            throw UnsupportedURL(url: request.url)
        }
        var key = target.connection
        key.skipsVerification = key.isTLS && request.insecureTLS
        if let connection = idle.removeValue(forKey: key) {
            let isFresh = !key.isTLS || NIODeadline.now() - connection.openedAt < TimeAmount(probe.settings.certificateRecheckInterval)
            if connection.channel.isActive && isFresh {
                do {
                    return try await send(request, target, on: connection.channel, key: key, openedAt: connection.openedAt, deadline: deadline)
                } catch let error where Self.isStaleConnection(error) && NIODeadline.now() < deadline {
                    // The server closed the idle connection; try once more on a new one.
                }
            } else {
                connection.channel.close(promise: nil)
            }
        }
        let channel = try await connect(key, connectTimeout: request.connectTimeout, deadline: deadline)
        return try await send(request, target, on: channel, key: key, openedAt: .now(), deadline: deadline)
    }

    private func send(
        _ request: ProbeRequest,
        _ target: HTTPTarget,
        on channel: any Channel,
        key: HTTPTarget.ConnectionKey,
        openedAt: NIODeadline,
        deadline: NIODeadline
    ) async throws -> ProbeExchange {
        let response = channel.eventLoop.makePromise(of: ConnectionResponse.self)
        let pending = PendingRequest(head: Self.head(for: request, target), deadline: deadline, bodyLimit: request.bodyLimit, response: response)
        // On the event loop (where the poller runs when it prefers the loop's executor) or one hop onto it;
        // from there the handler keeps the deadline. A write that fails before reaching the handler (the
        // channel just closed) fails the request too, so it cannot hang.
        let write: @Sendable () -> Void = {
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { response.fail($0) }
            channel.writeAndFlush(pending, promise: written)
        }
        if channel.eventLoop.inEventLoop { write() } else { channel.eventLoop.execute(write) }
        let answer: ConnectionResponse
        do {
            answer = try await response.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        if answer.isReusable {
            keep(channel, for: key, openedAt: openedAt)
        } else {
            channel.close(promise: nil)
        }
        return answer.exchange
    }

    /// The request head: urlpoll's `Host` and `User-Agent` unless the check sets its own, then the check's headers.
    private static func head(for request: ProbeRequest, _ target: HTTPTarget) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        if !request.headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.add(name: "Host", value: target.hostHeader)
        }
        if !request.headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.add(name: "User-Agent", value: "urlpoll/\(PollMetrics.version)")
        }
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let method: HTTPMethod = request.method == .get ? .GET : .HEAD
        return HTTPRequestHead(version: .http1_1, method: method, uri: target.requestTarget, headers: headers)
    }

    private func keep(_ channel: any Channel, for key: HTTPTarget.ConnectionKey, openedAt: NIODeadline) {
        if idle.count >= probe.settings.idleConnectionsPerSession, let oldest = idle.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            idle.removeValue(forKey: oldest)?.channel.close(promise: nil)
        }
        uses &+= 1
        idle[key] = IdleConnection(channel: channel, openedAt: openedAt, lastUse: uses)
    }

    private func connect(_ key: HTTPTarget.ConnectionKey, connectTimeout: Duration, deadline: NIODeadline) async throws -> any Channel {
        let connectStart = NIODeadline.now()
        let remaining = deadline - connectStart
        let timeout = min(TimeAmount(connectTimeout), remaining)
        guard timeout > .zero else { throw ConnectionFailure.timedOut }
        let tlsContext = key.skipsVerification ? probe.insecureTLSContext : probe.tlsContext
        // For TLS, wait for the handshake, so that its failure is reported as such (not as a closed channel).
        let handshake = key.isTLS ? eventLoop.makePromise(of: Void.self) : nil
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
                    // Request heads are built from a parsed URL and validated headers, so per-write validation is skipped.
                    try pipeline.addHTTPClientHandlers(leftOverBytesStrategy: .dropBytes, enableOutboundHeaderValidation: false)
                    try pipeline.addHandler(ResponseHandler(handshake: handshake))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: key.host, port: key.port).get()
        } catch {
            handshake?.fail(error)
            throw error
        }
        guard let handshake else { return channel }
        // The handshake is part of connecting: bounded by the connect timeout as well as the poll's deadline.
        let handshakeDeadline = min(deadline, connectStart + TimeAmount(connectTimeout))
        let handshakeTimeout = channel.eventLoop.scheduleTask(deadline: handshakeDeadline) {
            handshake.fail(handshakeDeadline < deadline ? ConnectionFailure.handshakeTimedOut : ConnectionFailure.timedOut)
        }
        defer { handshakeTimeout.cancel() }
        do {
            try await handshake.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
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
