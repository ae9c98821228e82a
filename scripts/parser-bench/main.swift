import NIOCore

@main
struct Bench {
    static let responses = [
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 0\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nConnection: keep-alive\r\nETag: \"6761-0\"\r\nAccept-Ranges: bytes\r\n\r\n",
        "HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: keep-alive\r\nLocation: https://example.org/\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n{\"status\":\"ok\"}\r\n0\r\n\r\n",
    ]

    static func main() {
        let iterations = 1_000_000
        for (index, text) in responses.enumerated() {
            let template = ByteBuffer(string: text)
            var checksum = 0
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for _ in 0..<iterations {
                    var buffer = template
                    var parser = HTTPResponseParser(isResponseToHEAD: false)
                    while !parser.isComplete, let event = try! parser.next(&buffer) {
                        if case .head(let head) = event { checksum &+= head.code }
                    }
                }
            }
            let ns = Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9
            print("response \(index): \((ns / Double(iterations) * 10).rounded() / 10) ns per parse (\(text.utf8.count) bytes, checksum \(checksum))")
        }
    }
}
