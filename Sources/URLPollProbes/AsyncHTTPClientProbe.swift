import AsyncHTTPClient
import LeanHTTP
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import URLPollCore

/// Polls URLs over one shared async-http-client connection pool.
///
/// Behaviour: keep-alive connections, pooled per host (up to ``Settings/connectionsPerHost`` each); the
/// client follows no redirect itself (``ProbeSession/probe(_:deadline:)`` does, as for every probe). The
/// deadline bounds the whole request including connecting and the response head; the client's read
/// timeout bounds a body that stalls. Connecting never retries, so a refused port fails at once.
/// Limitation: async-http-client does not expose the peer certificate, so answers carry no certificate
/// expiry (`cert-expiry-warning` needs the default client). Thread-safe: any number of pollers may poll at once.
package struct AsyncHTTPClientProbe: Probe {
    /// What the probe's HTTP client is built with.
    package struct Settings: Sendable, Equatable {
        /// Bounds a whole poll, and a body that stalls.
        package var timeout: Duration
        /// Bounds connecting (TCP and TLS); by default the smaller of 5 s and ``timeout``.
        package var connectTimeout: Duration
        /// The most connections kept open to one host; match the number of pollers.
        package var connectionsPerHost: Int

        package init(timeout: Duration, connectTimeout: Duration? = nil, connectionsPerHost: Int) {
            self.timeout = timeout
            self.connectTimeout = connectTimeout ?? min(.seconds(5), timeout)
            self.connectionsPerHost = connectionsPerHost
        }
    }

    private let client: HTTPClient

    private init(client: HTTPClient) {
        self.client = client
    }

    /// Runs `body` with a probe whose HTTP client lives exactly as long as the call, and is shut down
    /// afterwards whether `body` returns or throws.
    package static func withProbe<Result: Sendable>(
        _ settings: Settings,
        logger: Logger,
        _ body: (AsyncHTTPClientProbe) async throws -> Result
    ) async throws -> Result {
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: configuration(for: settings),
            backgroundActivityLogger: logger
        )
        let result: Result
        do {
            result = try await body(AsyncHTTPClientProbe(client: client))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// The async-http-client configuration for `settings`.
    static func configuration(for settings: Settings) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(settings.connectTimeout), read: TimeAmount(settings.timeout)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.connectionsPerHost),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        return configuration
    }

    package func makeSession() -> any ProbeSession {
        Session(client: client)
    }

    /// async-http-client pools connections itself, so a session just forwards to the shared client.
    private final class Session: ProbeSession {
        let client: HTTPClient
        init(client: HTTPClient) { self.client = client }
        func close() {}

        func exchange(_ probeRequest: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
            do {
                return try await send(probeRequest, deadline: deadline)
            } catch {
                throw ProbeFailure(reason: FailureDescription.describe(error, timeout: probeRequest.timeout))
            }
        }

        private func send(_ probeRequest: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
            var request = HTTPClientRequest(url: probeRequest.url)
            request.method = HTTPMethod(rawValue: probeRequest.method.rawValue)
            if let body = probeRequest.body {
                request.body = .bytes(ByteBuffer(bytes: body))
            } else if probeRequest.method.sendsBody {
                request.body = .bytes(ByteBuffer())
            }
            for header in probeRequest.headers {
                request.headers.replaceOrAdd(name: header.name, value: header.value.revealed)
            }
            // async-http-client closes a connection whose request says so, instead of pooling it.
            if !probeRequest.reuseConnections { request.headers.replaceOrAdd(name: "Connection", value: "close") }
            if let prepared = probeRequest.tls as? PreparedTLSContext {
                request.tlsConfiguration = prepared.configuration
            } else if probeRequest.insecureTLS {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.certificateVerification = .none
                request.tlsConfiguration = tls
            }
            // async-http-client does not tell how a connection was made: its "ttfb" runs from the request to the
            // response head, connecting included when it needed a new connection, and the other phases stay nil.
            let start = NIODeadline.now()
            let response = try await client.execute(request, deadline: deadline)
            let headAt = NIODeadline.now()
            var exchange = ProbeExchange(
                code: Int(response.status.code),
                reason: response.status.reasonPhrase,
                location: response.headers.first(name: "location")
            )
            let isHEAD = request.method == .HEAD
            let announced = response.headers.first(name: "content-length").flatMap(Int.init) ?? .max
            // The client's read timeout restarts with every chunk, so a trickling body is bounded here.
            (exchange.body, exchange.bodyTruncated) = try await Self.withDeadline(deadline) {
                if probeRequest.bodyLimit > 0 {
                    var body: [UInt8] = []
                    for try await part in response.body {
                        let room = probeRequest.bodyLimit - body.count
                        body += part.readableBytesView.prefix(room)
                        if part.readableBytes > room { return (body, true) }
                    }
                    return (body, false)
                }
                // Draining a short (or HEAD's empty) body returns the connection to the pool; a long one is dropped.
                if isHEAD || announced <= ProbeRequest.drainLimit {
                    for try await _ in response.body {}
                }
                return ([], false)
            }
            exchange.phases = PollPhases(ttfb: Duration(headAt - start), transfer: Duration(.now() - headAt))
            return exchange
        }

        /// Runs `operation` (reading a body), cancelling it and throwing ``ConnectionFailure/timedOutInBody``
        /// once `deadline` passes.
        private static func withDeadline<T: Sendable>(_ deadline: NIODeadline, _ operation: @escaping @Sendable () async throws -> T) async throws
            -> T
        {
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds((deadline - .now()).nanoseconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else { throw ConnectionFailure.timedOutInBody }
                return value
            }
        }
    }
}
