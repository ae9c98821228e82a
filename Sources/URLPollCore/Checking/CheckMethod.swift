/// The HTTP method a check polls with.
public enum CheckMethod: String, Sendable, Equatable, CaseIterable {
    /// The default: asks for the status without the body.
    case head = "HEAD"
    /// Needed for body conditions, and for servers that reject HEAD (405 or 501).
    case get = "GET"
    /// For endpoints that must be asked with a body (GraphQL, JSON-RPC health checks).
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case options = "OPTIONS"

    /// Whether the method usually carries a request body (`Content-Length` is always sent for these).
    public var sendsBody: Bool { self == .post || self == .put || self == .patch }
}
