import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import URLPollCore

/// The HTTP client every HTTP receiver posts through: async-http-client with its own connection pool,
/// no redirects (a POST is never re-sent elsewhere), TLS verified. Thread-safe; shut it down once, when
/// alerting stops.
package final class ReceiverHTTPClient: Sendable {
    let client: HTTPClient

    package init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.idleTimeout = .seconds(60)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    /// Posts `body` to `url` with `fields` (urlpoll's own headers) and the configured `headers`, and
    /// returns once the server answered 2xx. The one place where a receiver's URL and header values are
    /// revealed: they go into the request, nowhere else.
    ///
    /// - Throws: ``DeliveryError`` for another status (4xx other than 408 and 429 are not retried), a
    ///   timeout or a transport failure. The message names the origin only, never the path or query.
    func post(
        _ body: [UInt8],
        to url: Secret<String>,
        fields: [(String, String)],
        headers: [HeaderField],
        timeout: Duration
    ) async throws(DeliveryError) {
        let url = url.revealed
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in fields { request.headers.add(name: name, value: value) }
        for header in headers { request.headers.add(name: header.name, value: header.value.revealed) }
        request.headers.replaceOrAdd(name: "User-Agent", value: "urlpoll/\(URLPollVersion.current)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let origin = AlertReceiverSettings.origin(of: url)
        let status: HTTPResponseStatus
        do {
            let deadline = NIODeadline.now() + TimeAmount.nanoseconds(timeout.wholeNanoseconds)
            let response = try await client.execute(request, deadline: deadline)
            status = response.status
            _ = try await response.body.collect(upTo: 64 * 1024)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw DeliveryError("\(origin): no answer within \(DurationFormat.format(timeout))")
        } catch {
            throw DeliveryError("\(origin): \(Self.describe(error))")
        }
        guard (200..<300).contains(status.code) else {
            let retryable = status.code >= 500 || status.code == 408 || status.code == 429
            throw DeliveryError("\(origin) answered \(status.code) \(status.reasonPhrase)", isRetryable: retryable)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? IOError { return "\(error)" }
        return String(describing: type(of: error))
    }
}
