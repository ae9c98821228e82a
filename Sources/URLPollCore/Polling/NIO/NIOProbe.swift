import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Polls URLs with HTTP/1.1 `HEAD` requests written straight on SwiftNIO channels: the lean path.
///
/// Each ``Poller`` gets its own ``NIOProbeSession``, which owns that poller's keep-alive connections
/// (at most one per host, since a poller makes one request at a time). Connections are never shared,
/// so no pool, lock or actor stands between a poll and its socket. Behaviour matches
/// ``AsyncHTTPClientProbe``: ``Settings/timeout`` bounds the whole poll (connects, TLS, redirects,
/// response); connecting alone is bounded by ``Settings/connectTimeout`` and never retried; up to
/// ``Settings/maximumRedirects`` redirects are followed, a loop or a redirect to another scheme fails.
/// A keep-alive connection the server closed while idle is replaced once, transparently.
public struct NIOProbe: Probe {
    /// What the probe is built with.
    public struct Settings: Sendable, Equatable {
        public var timeout: Duration
        public var connectTimeout: Duration
        public var maximumRedirects: Int
        /// The most idle connections one session keeps (one per host; the least recently used goes first).
        public var idleConnectionsPerSession: Int

        public init(timeout: Duration, connectTimeout: Duration? = nil, maximumRedirects: Int = 10, idleConnectionsPerSession: Int = 64) {
            self.timeout = timeout
            self.connectTimeout = connectTimeout ?? min(.seconds(5), timeout)
            self.maximumRedirects = maximumRedirects
            self.idleConnectionsPerSession = idleConnectionsPerSession
        }
    }

    public let method = "HEAD"
    let settings: Settings
    let group: any EventLoopGroup
    let tlsContext: NIOSSLContext

    /// - Throws: if the TLS context cannot be created (no usable system trust store).
    public init(settings: Settings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.settings = settings
        self.group = group
        self.tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    public func makeSession() -> any ProbeSession {
        NIOProbeSession(probe: self)
    }
}

/// One poller's connections and requests. Owned by that poller's task alone (it is not `Sendable`).
final class NIOProbeSession: ProbeSession {
    private let probe: NIOProbe
    private var idle: [HTTPTarget.ConnectionKey: any Channel] = [:]
    private var lastUse: [HTTPTarget.ConnectionKey: UInt64] = [:]
    private var uses: UInt64 = 0

    init(probe: NIOProbe) {
        self.probe = probe
    }

    deinit {
        close()
    }

    func close() {
        for channel in idle.values { channel.close(promise: nil) }
        idle.removeAll()
        lastUse.removeAll()
    }

    func probe(_ url: String) async -> ProbeOutcome {
        let deadline = NIODeadline.now() + TimeAmount(probe.settings.timeout)
        var current = url
        var visited: Set<String> = [url]
        do {
            for _ in 0...probe.settings.maximumRedirects {
                guard let target = HTTPTarget(url: current) else {
                    return .failure(reason: "unsupported URL \(current)")
                }
                let head = try await request(target, deadline: deadline)
                guard [301, 302, 303, 307, 308].contains(head.status.code), let location = head.headers.first(name: "location") else {
                    return .response(code: Int(head.status.code), reason: head.status.reasonPhrase)
                }
                guard let next = HTTPTarget.resolve(location: location, against: current) else {
                    return .failure(reason: "invalid redirect location \"\(location)\"")
                }
                guard HTTPTarget(url: next) != nil else {
                    return .failure(reason: "redirect to an unsupported URL \"\(next)\" refused")
                }
                guard visited.insert(next).inserted else { return .failure(reason: "redirect loop") }
                current = next
            }
            return .failure(reason: "too many redirects")
        } catch {
            return .failure(reason: describe(error))
        }
    }

    /// Sends one request, on this session's idle connection to the host if there is a live one.
    private func request(_ target: HTTPTarget, deadline: NIODeadline) async throws -> HTTPResponseHead {
        if let channel = idle.removeValue(forKey: target.connection) {
            lastUse[target.connection] = nil
            if channel.isActive {
                do {
                    return try await send(target, on: channel, deadline: deadline)
                } catch let error where Self.isStaleConnection(error) && NIODeadline.now() < deadline {
                    // The server closed the idle connection; try once more on a new one.
                }
            } else {
                channel.close(promise: nil)
            }
        }
        let channel = try await connect(target.connection, deadline: deadline)
        return try await send(target, on: channel, deadline: deadline)
    }

    private func send(_ target: HTTPTarget, on channel: any Channel, deadline: NIODeadline) async throws -> HTTPResponseHead {
        let response = channel.eventLoop.makePromise(of: HTTPResponseHead.self)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        headers.add(name: "User-Agent", value: "urlpoll/\(PollMetrics.version)")
        let head = HTTPRequestHead(version: .http1_1, method: .HEAD, uri: target.requestTarget, headers: headers)
        let request = PendingRequest(head: head, deadline: deadline, response: response)
        // One hop onto the event loop; from there the handler keeps the deadline. A write that fails before
        // reaching the handler (the channel just closed) fails the request too, so it cannot hang.
        channel.eventLoop.execute {
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { response.fail($0) }
            channel.writeAndFlush(request, promise: written)
        }
        let responseHead: HTTPResponseHead
        do {
            responseHead = try await response.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        if responseHead.isKeepAlive {
            keep(channel, for: target.connection)
        } else {
            channel.close(promise: nil)
        }
        return responseHead
    }

    private func keep(_ channel: any Channel, for key: HTTPTarget.ConnectionKey) {
        if idle.count >= probe.settings.idleConnectionsPerSession, let oldest = lastUse.min(by: { $0.value < $1.value })?.key {
            idle.removeValue(forKey: oldest)?.close(promise: nil)
            lastUse[oldest] = nil
        }
        uses &+= 1
        idle[key] = channel
        lastUse[key] = uses
    }

    private func connect(_ key: HTTPTarget.ConnectionKey, deadline: NIODeadline) async throws -> any Channel {
        let remaining = deadline - NIODeadline.now()
        let connectTimeout = min(TimeAmount(probe.settings.connectTimeout), remaining)
        guard connectTimeout > .zero else { throw ConnectionFailure.timedOut }
        let tlsContext = probe.tlsContext
        let bootstrap = ClientBootstrap(group: probe.group)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if key.isTLS {
                        let isAddress = key.host.contains(":") || key.host.allSatisfy { $0.isNumber || $0 == "." }
                        try pipeline.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: isAddress ? nil : key.host))
                    }
                    // The request head is built here from a parsed URL, so the per-write header validation is skipped.
                    try pipeline.addHTTPClientHandlers(leftOverBytesStrategy: .dropBytes, enableOutboundHeaderValidation: false)
                    try pipeline.addHandler(ResponseHeadHandler())
                }
            }
        return try await bootstrap.connect(host: key.host, port: key.port).get()
    }

    /// Whether `error` means the server had closed the idle connection before the request arrived.
    private static func isStaleConnection(_ error: any Error) -> Bool {
        if let failure = error as? ConnectionFailure { return failure == .closedBeforeResponse }
        if let error = error as? IOError { return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE }
        if let error = error as? ChannelError { return error == .ioOnClosedChannel || error == .alreadyClosed }
        return false
    }

    private func describe(_ error: any Error) -> String {
        switch error as? ConnectionFailure {
        case .timedOut: "timed out after \(DurationFormat.format(probe.settings.timeout))"
        case .closedBeforeResponse: "connection closed by server before a complete response"
        case nil: FailureDescription.describe(error, timeout: probe.settings.timeout)
        }
    }
}
