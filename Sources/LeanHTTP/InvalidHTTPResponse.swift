/// A response that is not HTTP/1.x, or breaks its framing (``HTTPResponseParser`` says which way).
/// `reason` is short and never quotes the response.
public struct InvalidHTTPResponse: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "invalid HTTP response (\(reason))" }
}
