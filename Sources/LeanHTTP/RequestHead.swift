import NIOCore

/// One request, written as HTTP/1.1 bytes: the method, the target's path, the client's `Host` and
/// `User-Agent` (unless the request sets its own), the request's headers, and the body with its
/// `Content-Length` when there is one (always for POST, PUT and PATCH).
///
/// Pure. The bytes are not validated here: the target comes from a parsed URL, and header names and
/// values are the caller's to check (``LeanHTTPRequest/Header``).
struct RequestHead: Sendable {
    let method: LeanHTTPRequest.Method
    let target: HTTPTarget
    let headers: [LeanHTTPRequest.Header]
    let userAgent: String
    /// Whether to ask the server to close the connection after the answer.
    var closesConnection = false
    var body: [UInt8]?

    /// Appends the head to `buffer`.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeString(method.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeString(target.requestTarget)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        if !headers.contains(where: { Self.named($0, "host") }) {
            buffer.writeStaticString("Host: ")
            buffer.writeString(target.hostHeader)
            buffer.writeStaticString("\r\n")
        }
        if !headers.contains(where: { Self.named($0, "user-agent") }) {
            buffer.writeStaticString("User-Agent: ")
            buffer.writeString(userAgent)
            buffer.writeStaticString("\r\n")
        }
        if closesConnection { buffer.writeStaticString("Connection: close\r\n") }
        for header in headers {
            buffer.writeString(header.name)
            buffer.writeStaticString(": ")
            buffer.writeString(header.value)
            buffer.writeStaticString("\r\n")
        }
        let sendsBody = body != nil || method == .post || method == .put || method == .patch
        if sendsBody {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(body?.count ?? 0))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        if let body { buffer.writeBytes(body) }
    }

    private static func named(_ header: LeanHTTPRequest.Header, _ lowercased: String) -> Bool {
        header.name.utf8.count == lowercased.utf8.count && header.name.lowercased() == lowercased
    }
}
