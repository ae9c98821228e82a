import NIOCore

/// The head of one probe request, written as HTTP/1.1 bytes: the method, the target's path, urlpoll's
/// `Host` and `User-Agent` (unless the check sets its own) and the check's headers. Probes send no body.
///
/// Pure. The bytes are not validated here: the target comes from a parsed URL, and header names and
/// values were checked when the configuration was loaded.
struct RequestHead: Sendable {
    let method: CheckMethod
    let target: HTTPTarget
    let headers: [HeaderField]

    static let userAgent = "urlpoll/\(PollMetrics.version)"

    /// Appends the head to `buffer`.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(method == .get ? "GET " : "HEAD ")
        buffer.writeString(target.requestTarget)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        if !headers.contains(where: { $0.name.lowercased() == "host" }) {
            buffer.writeStaticString("Host: ")
            buffer.writeString(target.hostHeader)
            buffer.writeStaticString("\r\n")
        }
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            buffer.writeStaticString("User-Agent: ")
            buffer.writeString(Self.userAgent)
            buffer.writeStaticString("\r\n")
        }
        for header in headers {
            buffer.writeString(header.name)
            buffer.writeStaticString(": ")
            buffer.writeString(header.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
    }
}
