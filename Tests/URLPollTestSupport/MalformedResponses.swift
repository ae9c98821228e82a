/// Every HTTP response LeanHTTP's parser refuses, with the reason its status text gives: the parser's own
/// table (`HTTPResponseParserTests`) and the probe's (`HTTPProbeTests`, each one a failed poll whose
/// connection is closed) read the same list.
package enum MalformedResponses {
    package static let all: [(String, String)] = [
        ("\u{01}\u{02}NOT HTTP AT ALL\r\n\r\n", "not an HTTP status line"),
        ("HTTP/2.0 200 OK\r\n\r\n", "unsupported HTTP version"),
        ("HTTP/1.2 200 OK\r\n\r\n", "unsupported HTTP version"),
        ("HTTP/1.1 2x0 OK\r\n\r\n", "status code is not three digits"),
        ("HTTP/1.1 2000 OK\r\n\r\n", "status code is not three digits"),
        ("HTTP/1.1 20 OK\r\n\r\n", "status code is not three digits"),
        ("HTTP/1.1 099 Low\r\n\r\n", "invalid status code"),
        ("HTTP/1.1 200 O\u{01}K\r\n\r\n", "control byte in the reason phrase"),
        ("HTTP/1.1 200 OK\nContent-Length: 0\n\n", "line ends with LF without CR"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", "line ends with LF without CR"),
        ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed header line"),
        ("HTTP/1.1 200 OK\r\n: no name\r\n\r\n", "empty header name"),
        ("HTTP/1.1 200 OK\r\nX(A): b\r\n\r\n", "invalid character in a header name"),
        ("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", "whitespace before the colon in a header"),
        ("HTTP/1.1 200 OK\r\nX-\u{01}A: b\r\n\r\n", "control byte in a header name"),
        // A CR is not a "-": the old `byte | 0x20` comparison read this as Content-Length.
        ("HTTP/1.1 200 OK\r\nContent\rLength: 5\r\n\r\nhello", "control byte in a header name"),
        ("HTTP/1.1 200 OK\r\nX-A: b\u{00}c\r\n\r\n", "control byte in a header value"),
        ("HTTP/1.1 200 OK\r\nX-A: b\r\n folded\r\nContent-Length: 0\r\n\r\n", "obsolete line folding in a header"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\t\r\n\r\nx", "invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting Content-Length headers"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", "repeated Content-Length header"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "both Content-Length and Transfer-Encoding"),
        ("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", "both Content-Length and Transfer-Encoding"),
        ("HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "an interim response closes the connection"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\n", "malformed chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a b\r\n", "malformed chunk extension"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", "malformed chunk"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", "chunk too large"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n", "framing header in the trailers"),
    ]
}
