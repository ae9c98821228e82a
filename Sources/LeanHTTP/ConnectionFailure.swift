/// Why a connection gave no response (besides the socket's and TLS's own errors, and
/// ``InvalidHTTPResponse``).
public enum ConnectionFailure: Error, Equatable, Sendable {
    /// The server closed the connection before the response was complete.
    case closedBeforeResponse
    /// The request's deadline passed before the response head was complete.
    case timedOut
    /// The request's deadline passed while the body was being read (the head had come).
    case timedOutInBody
    /// The connect timeout passed while the host name was still being resolved.
    case resolutionTimedOut
    /// The TLS handshake did not end within the connect timeout.
    case handshakeTimedOut
}

/// A URL that is not http or https, or has no host.
public struct UnsupportedURL: Error, CustomStringConvertible, Sendable {
    public let url: String
    public var description: String { "unsupported URL" }
}
