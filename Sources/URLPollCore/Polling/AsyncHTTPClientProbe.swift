import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Polls URLs with an HTTP `HEAD` request over one shared async-http-client connection pool.
///
/// Behaviour: keep-alive connections, pooled per host (up to ``Settings/connectionsPerHost`` each);
/// up to 10 redirects followed (a loop or an 11th redirect is a failure); the final status reported.
/// ``Settings/timeout`` bounds the whole request including connecting, redirects and the response head;
/// the client's read timeout (the same value) bounds a body that stalls. Connecting never retries, so a
/// refused port fails at once. Thread-safe: any number of pollers may call ``probe(_:)`` at once.
public struct AsyncHTTPClientProbe: Probe {
    /// What the probe's HTTP client is built with.
    public struct Settings: Sendable, Equatable {
        /// Bounds a whole poll.
        public var timeout: Duration
        /// Bounds connecting (TCP and TLS); by default the smaller of 5 s and ``timeout``.
        public var connectTimeout: Duration
        /// The most connections kept open to one host; match the number of pollers.
        public var connectionsPerHost: Int
        /// The most redirects followed.
        public var maximumRedirects: Int

        public init(timeout: Duration, connectTimeout: Duration? = nil, connectionsPerHost: Int, maximumRedirects: Int = 10) {
            self.timeout = timeout
            self.connectTimeout = connectTimeout ?? min(.seconds(5), timeout)
            self.connectionsPerHost = connectionsPerHost
            self.maximumRedirects = maximumRedirects
        }
    }

    public let method = "HEAD"
    private let client: HTTPClient
    private let timeout: Duration

    private init(client: HTTPClient, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    /// Runs `body` with a probe whose HTTP client lives exactly as long as the call, and is shut down
    /// afterwards whether `body` returns or throws.
    public static func withProbe<Result: Sendable>(
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
            result = try await body(AsyncHTTPClientProbe(client: client, timeout: settings.timeout))
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
            redirectConfiguration: .follow(max: settings.maximumRedirects, allowCycles: false),
            timeout: .init(connect: TimeAmount(settings.connectTimeout), read: TimeAmount(settings.timeout)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.connectionsPerHost),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        return configuration
    }

    public func makeSession() -> any ProbeSession {
        Session(probe: self)
    }

    /// async-http-client pools connections itself, so a session just forwards to the shared client.
    private final class Session: ProbeSession {
        let probe: AsyncHTTPClientProbe
        init(probe: AsyncHTTPClientProbe) { self.probe = probe }
        func probe(_ url: String) async -> ProbeOutcome { await probe.request(url) }
        func close() {}
    }

    func request(_ url: String) async -> ProbeOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .HEAD
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            // A HEAD response has no body; draining it returns the connection to the pool.
            for try await _ in response.body {}
            return .response(code: Int(response.status.code), reason: response.status.reasonPhrase)
        } catch {
            return .failure(reason: FailureDescription.describe(error, timeout: timeout))
        }
    }
}
