import Foundation

/// What a server answered to one ``LeanHTTPRequest`` (no redirect followed).
public struct LeanHTTPResponse: Sendable, Equatable {
    public var code: Int
    /// The reason phrase as sent (possibly empty, possibly long: the caller shortens it for display).
    public var reason: String
    /// The `Location` header, if any.
    public var location: String?
    /// The first bytes of the body, up to the request's ``LeanHTTPRequest/bodyLimit``.
    public var body: [UInt8] = []
    /// Whether the body was longer than what was kept.
    public var bodyTruncated = false
    /// When the server's (leaf) TLS certificate expires; `nil` for http.
    public var certificateExpiry: Date?
    /// How long each phase took (connecting only on a new connection).
    public var timing = ExchangeTiming()
    /// The IP address of the server the connection leads to (`127.0.0.1`, `::1`), if known.
    public var remoteAddress: String?

    public init(code: Int, reason: String, location: String? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
    }
}
