/// Whole HTTP responses that several test targets serve from a `MisbehavingTarget`.
package enum CannedResponses {
    /// A 503 with an empty body: a URL that is down with an HTTP status.
    package static let serviceUnavailable = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
}
