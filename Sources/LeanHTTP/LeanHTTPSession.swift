import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One user's requests through a ``LeanHTTPClient``. Owned by one task at a time (it is not `Sendable`).
public final class LeanHTTPSession {
    private let client: LeanHTTPClient
    /// The loop every connection of this session lives on (the poller's, when it runs there).
    private let eventLoop: any EventLoop
    /// The loop's shared pool, used while the session runs on that loop.
    private let sharedPool: NIOLoopBoundBox<ConnectionPool>?
    /// The session's own pool, for requests made off the loop.
    private var ownPool: ConnectionPool?

    init(client: LeanHTTPClient, eventLoop: any EventLoop, sharedPool: NIOLoopBoundBox<ConnectionPool>?) {
        self.client = client
        self.eventLoop = eventLoop
        self.sharedPool = sharedPool
    }

    deinit {
        close()
    }

    /// Closes the connections of the session's own pool; those it returned to a shared pool stay there.
    /// The session is not used afterwards.
    public func close() {
        ownPool?.closeAll()
        ownPool = nil
    }

    /// The phases of the last ``send(_:deadline:)``, also when it threw: what was measured before the
    /// failure (a timeout waiting for the answer on a new connection has `dns`, `connect` and `tls`, no
    /// `firstByte`). Reset at the start of every send.
    public private(set) var lastTiming = ExchangeTiming()

    /// Where this request's idle connections are: the loop's pool when running on the loop.
    private var pool: ConnectionPool {
        if let sharedPool, sharedPool.eventLoop.inEventLoop { return sharedPool.value }
        if let ownPool { return ownPool }
        let pool = ConnectionPool(
            capacity: client.configuration.idleConnectionsPerLoop,
            idleTimeout: TimeAmount(client.configuration.idleConnectionTimeout)
        )
        ownPool = pool
        return pool
    }

    /// Sends `request` and returns the answer, following no redirect, on an idle connection to the host
    /// from the pool if there is a live one.
    ///
    /// Returns or throws by `deadline` (plus scheduling slack) whatever the server does; it never keeps
    /// more than `request.bodyLimit` body bytes.
    /// - Throws: ``UnsupportedURL``, ``InvalidHTTPResponse``, ``ConnectionFailure``, and SwiftNIO's and
    ///   NIOSSL's connection errors (`IOError`, `NIOConnectionError`, `ChannelError`, `NIOSSLError`).
    public func send(_ request: LeanHTTPRequest, deadline: NIODeadline) async throws -> LeanHTTPResponse {
        lastTiming = ExchangeTiming()
        guard let target = HTTPTarget(url: request.url) else {
            throw UnsupportedURL(url: request.url)
        }
        var key = target.connection
        key.skipsVerification = key.isTLS && request.skipsCertificateVerification
        if key.isTLS, let profile = request.tls { key.profile = profile }
        key.ipVersion = request.ipVersion
        var head = RequestHead(method: request.method, target: target, headers: request.headers, userAgent: client.configuration.userAgent)
        head.closesConnection = !request.reusesConnection
        head.body = request.body
        let now = NIODeadline.now()
        if request.reusesConnection, let connection = pool.take(key, now: now) {
            let isFresh = !key.isTLS || now - connection.openedAt < TimeAmount(client.configuration.certificateRecheckInterval)
            if connection.channel.isActive && isFresh {
                do {
                    let response = try await send(head, request, on: connection, key: key, deadline: deadline)
                    lastTiming = response.timing
                    return response
                } catch let error where Self.isStaleConnection(error) && NIODeadline.now() < deadline {
                    // The server closed the idle connection; try once more on a new one.
                }
            } else {
                connection.channel.close(promise: nil)
            }
        }
        let (connection, opening) = try await connect(key, connectTimeout: request.connectTimeout, deadline: deadline)
        lastTiming = opening
        var response = try await send(head, request, on: connection, key: key, deadline: deadline)
        response.timing.dns = opening.dns
        response.timing.connect = opening.connect
        response.timing.tls = opening.tls
        lastTiming = response.timing
        return response
    }

    private func send(
        _ head: RequestHead,
        _ request: LeanHTTPRequest,
        on connection: PooledConnection,
        key: HTTPTarget.ConnectionKey,
        deadline: NIODeadline
    ) async throws -> LeanHTTPResponse {
        let answer: ConnectionResponse
        do {
            answer = try await withCheckedThrowingContinuation { continuation in
                let pending = PendingRequest(
                    head: head,
                    deadline: deadline,
                    bodyLimit: request.bodyLimit,
                    drainLimit: request.drainLimit,
                    response: continuation
                )
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
        if answer.isReusable && request.reusesConnection {
            pool.put(connection, for: key)
        } else {
            connection.channel.close(promise: nil)
        }
        var response = answer.exchange
        response.remoteAddress = connection.remoteAddress
        return response
    }

    /// Opens a connection for `key`: resolves the host (unless it is an address), connects (Happy Eyeballs
    /// over the addresses ``HTTPTarget/ConnectionKey/ipVersion`` allows) and, for https, shakes hands.
    /// Returns it with how long the DNS, connect and TLS phases took.
    private func connect(
        _ key: HTTPTarget.ConnectionKey,
        connectTimeout: Duration,
        deadline: NIODeadline
    ) async throws -> (PooledConnection, ExchangeTiming) {
        let connectStart = NIODeadline.now()
        let remaining = deadline - connectStart
        let timeout = min(TimeAmount(connectTimeout), remaining)
        guard timeout > .zero else { throw ConnectionFailure.timedOut }
        let address = try Self.literalAddress(key)
        let tlsContext = key.profile?.context ?? (key.skipsVerification ? client.insecureTLSContext : client.tlsContext)
        // Ready when connected, for TLS when the handshake is done, so that its failure is reported as
        // such (not as a closed channel).
        let ready = eventLoop.makePromise(of: ConnectionReady.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if key.isTLS {
                        let name = key.profile?.serverName ?? (address == nil ? key.host : nil)
                        try pipeline.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: name))
                    }
                    try pipeline.addHandler(ResponseHandler(ready: ready, isTLS: key.isTLS))
                }
            }
        let channel: any Channel
        var resolver: HostResolver?
        do {
            if let address {
                // An address needs no lookup (and no thread hop to the resolver's pool).
                channel = try await bootstrap.connect(to: address).get()
            } else {
                let hostResolver = HostResolver(loop: eventLoop, version: key.ipVersion)
                resolver = hostResolver
                channel = try await bootstrap.resolver(hostResolver).connect(host: key.host, port: key.port).get()
            }
        } catch {
            ready.fail(error)
            if let resolver, resolver.resolvedAt == nil, let timeout = error as? ChannelError, case .connectTimeout = timeout {
                throw ConnectionFailure.resolutionTimedOut
            }
            throw error
        }
        // The TLS handshake is part of connecting: bounded by the connect timeout as well as the poll's deadline.
        let readyDeadline = min(deadline, connectStart + TimeAmount(connectTimeout))
        let readyTimeout = channel.eventLoop.scheduleTask(deadline: readyDeadline) {
            ready.fail(readyDeadline < deadline ? ConnectionFailure.handshakeTimedOut : ConnectionFailure.timedOut)
        }
        defer { readyTimeout.cancel() }
        do {
            let connection = try await ready.futureResult.get()
            let resolvedAt = resolver?.resolvedAt
            let timing = ExchangeTiming(
                dns: resolvedAt.map { $0 - connectStart },
                connect: connection.connectedAt - (resolvedAt ?? connectStart),
                tls: connection.handshakeEndedAt.map { $0 - connection.connectedAt }
            )
            let pooled = PooledConnection(
                channel: channel,
                handler: connection.handler,
                openedAt: connectStart,
                remoteAddress: channel.remoteAddress?.ipAddress
            )
            return (pooled, timing)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// The key's host as a socket address, when it is written as an IP address (`nil` for a name).
    ///
    /// - Throws: ``NoAddressOfVersion`` when the address is not of the version the key allows.
    private static func literalAddress(_ key: HTTPTarget.ConnectionKey) throws -> SocketAddress? {
        guard key.isAddress, let address = try? SocketAddress(ipAddress: key.host, port: key.port) else { return nil }
        switch (key.ipVersion, address.protocol) {
        case (.v4, .inet6): throw NoAddressOfVersion(host: key.host, version: .v4)
        case (.v6, .inet): throw NoAddressOfVersion(host: key.host, version: .v6)
        default: return address
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
