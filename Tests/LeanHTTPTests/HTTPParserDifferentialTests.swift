import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import LeanHTTP
@testable import URLPollCore
@testable import URLPollTestSupport

/// The lean response parser against NIOHTTP1's `HTTPResponseDecoder` (llhttp, strict): the same bytes,
/// in the same pieces, for a corpus of real-world responses and thousands of seeded mutations of them.
///
/// The rule: where NIOHTTP1 accepts a response, the lean parser agrees on the status, the header list,
/// the body length and keep-alive, or rejects it; where NIOHTTP1 rejects one, the lean parser rejects it
/// too. Neither crashes or reads outside the buffer (a `Span` would trap).
struct HTTPParserDifferentialTests {
    /// What a parser made of one response.
    enum Reading: Equatable {
        case accepted(Message)
        /// An error, or the bytes ended before the response did.
        case rejected(String)

        var message: Message? {
            if case .accepted(let message) = self { return message }
            return nil
        }
    }

    struct Message: Equatable {
        var code: Int
        var fields: [HTTPResponseParser.Field]
        var bodyLength: Int
        var isKeepAlive: Bool
        /// Whether the body ran until the connection closed (so the connection is not kept).
        var endsAtClose: Bool
    }

    // MARK: The two parsers

    /// The lean parser, fed `pieces` the way ``ResponseHandler`` feeds it, then told the connection closed.
    static func lean(_ pieces: [[UInt8]], isHEAD: Bool) -> Reading {
        var parser = HTTPResponseParser(isResponseToHEAD: isHEAD, recordsFields: true)
        var unparsed = ByteBuffer()
        var head: HTTPResponseParser.Head?
        var bodyLength = 0
        var ended = false
        func take(_ event: HTTPResponseParser.Event) {
            switch event {
            case .head(let parsed): head = parsed
            case .body(let bytes): bodyLength += bytes.readableBytes
            case .end: ended = true
            }
        }
        do {
            for piece in pieces where !ended {
                unparsed.writeBytes(piece)
                while !parser.isComplete, let event = try parser.next(&unparsed) { take(event) }
            }
        } catch {
            return .rejected(error.reason)
        }
        var endsAtClose = false
        if !ended, let event = parser.connectionClosed() {
            take(event)
            endsAtClose = true
        }
        guard ended, let head else { return .rejected("incomplete") }
        return .accepted(
            Message(code: head.code, fields: head.fields, bodyLength: bodyLength, isKeepAlive: head.isKeepAlive, endsAtClose: endsAtClose)
        )
    }

    /// NIOHTTP1's client pipeline in an `EmbeddedChannel`, after a GET or HEAD request, fed `pieces` and
    /// then closed. A response that completed before an error (in bytes after it) counts as accepted.
    static func nio(_ pieces: [[UInt8]], isHEAD: Bool) -> Reading {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        do {
            try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
            try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: isHEAD ? .HEAD : .GET, uri: "/")))
            try channel.writeOutbound(HTTPClientRequestPart.end(nil))
        } catch {
            return .rejected("setup: \(error)")
        }
        var head: HTTPResponseHead?
        var bodyLength = 0
        var ended = false
        func drain() throws {
            while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
                guard !ended else { continue }
                switch part {
                case .head(let parsed): head = parsed
                case .body(let bytes): bodyLength += bytes.readableBytes
                case .end: ended = true
                }
            }
        }
        var failure: String?
        for piece in pieces where failure == nil && !ended {
            do {
                try channel.writeInbound(ByteBuffer(bytes: piece))
            } catch {
                failure = "\(error)"
            }
            try? drain()
        }
        var endsAtClose = false
        if failure == nil && !ended {
            channel.pipeline.fireChannelInactive()
            do {
                try channel.throwIfErrorCaught()
            } catch {
                failure = "\(error)"
            }
            try? drain()
            endsAtClose = ended
        }
        guard ended, let head else { return .rejected(failure ?? "incomplete") }
        // llhttp leaves the white space after a value in it; RFC 9110 §5.5 says it is not part of the value.
        let fields = head.headers.map { HTTPResponseParser.Field(name: $0.name, value: trimmingTrailingWhiteSpace($0.value)) }
        return .accepted(
            Message(code: Int(head.status.code), fields: fields, bodyLength: bodyLength, isKeepAlive: head.isKeepAlive, endsAtClose: endsAtClose)
        )
    }

    static func trimmingTrailingWhiteSpace(_ value: String) -> String {
        var value = Substring(value)
        while value.last == " " || value.last == "\t" { value = value.dropLast() }
        return String(value)
    }

    // MARK: The rule

    /// Why `lean` and `nio` (readings of the same bytes) break the rule, or `nil` if they keep it.
    static func disagreement(lean: Reading, nio: Reading) -> String? {
        switch (lean, nio) {
        case (.rejected, _):
            return nil
        case (.accepted(let ours), .accepted(let theirs)):
            return compare(ours, theirs)
        case (.accepted, .rejected(let error)):
            return "accepted what NIOHTTP1 rejects (\(error))"
        }
    }

    static func compare(_ ours: Message, _ theirs: Message) -> String? {
        if ours.code != theirs.code { return "status \(ours.code) vs \(theirs.code)" }
        if ours.fields != theirs.fields { return "header fields \(ours.fields) vs \(theirs.fields)" }
        if ours.bodyLength != theirs.bodyLength { return "body length \(ours.bodyLength) vs \(theirs.bodyLength)" }
        if ours.endsAtClose != theirs.endsAtClose { return "body ends at close: \(ours.endsAtClose) vs \(theirs.endsAtClose)" }
        // A body that runs until the close, and a 101, leave no connection to keep.
        let keepAlive = theirs.isKeepAlive && !theirs.endsAtClose && theirs.code != 101
        if ours.isKeepAlive != keepAlive { return "keep-alive \(ours.isKeepAlive) vs \(keepAlive)" }
        return nil
    }

    // MARK: Corpus

    /// Responses as real servers send them (heads as captured from nginx, Apache, IIS, Caddy, Envoy,
    /// Cloudflare, AWS, Google, GitHub and others, with short bodies).
    static let corpus: [String] = [
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: keep-alive\r\nETag: \"6761-5\"\r\nAccept-Ranges: bytes\r\n\r\nhello",
        "HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 162\r\nConnection: keep-alive\r\nLocation: https://example.org/\r\n\r\n"
            + String(repeating: "x", count: 162),
        "HTTP/1.1 200 OK\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nServer: Apache/2.4.57 (Debian)\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nVary: Accept-Encoding\r\nContent-Length: 3\r\nKeep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nabc",
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nServer: Microsoft-IIS/10.0\r\nX-Powered-By: ASP.NET\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Length: 4\r\n\r\nnope",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: Caddy\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n{\"status\":\"ok\"}\r\n0\r\n\r\n",
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 19\r\ncontent-type: text/plain\r\ndate: Sun, 29 Nov 2026 12:00:00 GMT\r\nserver: envoy\r\n\r\nno healthy upstream",
        "HTTP/1.1 200 OK\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html; charset=UTF-8\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nCF-Ray: 8f2a1b3c4d5e6f70-FRA\r\nCF-Cache-Status: DYNAMIC\r\nServer: cloudflare\r\nalt-svc: h3=\":443\"; ma=86400\r\n\r\n4\r\nabcd\r\n3;name=value\r\nefg\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\nx-amzn-RequestId: 2c9e2a5e-7f59-4e0f-a7c6-3a7d5b9c8d11\r\nx-amz-apigw-id: AbCdEfGhIjKlMnO=\r\nX-Amzn-Trace-Id: Root=1-6761a2b3-0123456789abcdef01234567\r\n\r\n{}",
        "HTTP/1.1 302 Found\r\nLocation: https://accounts.google.com/ServiceLogin?continue=https%3A%2F%2Fexample.org%2F&hl=en\r\nCache-Control: private\r\nContent-Type: text/html; charset=UTF-8\r\nX-Content-Type-Options: nosniff\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nServer: GFE/2.0\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: GitHub.com\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html; charset=utf-8\r\nVary: X-PJAX, X-PJAX-Container, Turbo-Visit, Turbo-Frame, Accept-Encoding, Accept, X-Requested-With\r\nETag: W/\"0123456789abcdef\"\r\nCache-Control: max-age=0, private, must-revalidate\r\nStrict-Transport-Security: max-age=31536000; includeSubdomains; preload\r\nX-Frame-Options: deny\r\nContent-Security-Policy: default-src 'none'; base-uri 'self'\r\nSet-Cookie: _gh_sess=abc%3D%3D; path=/; secure; HttpOnly; SameSite=Lax\r\nSet-Cookie: _octo=GH1.1.1.2; Path=/; Domain=github.com; Expires=Mon, 29 Nov 2027 12:00:00 GMT; Secure; SameSite=Lax\r\nContent-Length: 1\r\n\r\n!",
        "HTTP/1.1 204 No Content\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nConnection: keep-alive\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nETag: \"abc\"\r\nCache-Control: max-age=60\r\n\r\n",
        "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-type: text/html; charset=utf-8\r\nContent-Length: 6\r\n\r\n<html>",
        "HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.7\r\nDate: Sun, 29 Nov 2026 12:00:00 GMT\r\n\r\nuntil close",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nbody until the server closes",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n",
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Type: application/problem+json\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nerror",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Type: text/plain\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other: value\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw until close",
        "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 599 Network Connect Timeout Error\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Spaces:    padded value   \r\nX-Tab:\tvalue\t\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Unicode: caf\u{E9} \u{2603}\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: /next?a=1&b=2\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: Upgrade, Keep-Alive\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nz",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000a\r\n0123456789\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n",
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-3/100\r\nContent-Length: 4\r\n\r\nabcd",
        "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nCONNECTION: CLOSE\r\n\r\n",
    ]

    // MARK: Tests

    @Test func theCorpusIsReadAlikeWholeAndInPieces() {
        for text in Self.corpus {
            let bytes = Array(text.utf8)
            for isHEAD in [false, true] {
                let nio = Self.nio([bytes], isHEAD: isHEAD)
                let lean = Self.lean([bytes], isHEAD: isHEAD)
                #expect(lean.message != nil, "the lean parser rejects a real-world response: \(Self.show(bytes)): \(lean)")
                #expect(Self.disagreement(lean: lean, nio: nio) == nil, "\(Self.show(bytes))")
                for cut in 1..<bytes.count {
                    let pieces = [Array(bytes[..<cut]), Array(bytes[cut...])]
                    #expect(Self.lean(pieces, isHEAD: isHEAD) == lean, "split at \(cut): \(Self.show(bytes))")
                }
            }
        }
    }

    /// 300 per response in `swift test`; `URLPOLL_FUZZ_MUTATIONS` and `URLPOLL_FUZZ_SEED` run a longer
    /// or another search (`URLPOLL_FUZZ_MUTATIONS=20000 swift test --filter HTTPParserDifferential`).
    static let mutationsPerResponse = ProcessInfo.processInfo.environment["URLPOLL_FUZZ_MUTATIONS"].flatMap(Int.init) ?? 300
    static let seed = ProcessInfo.processInfo.environment["URLPOLL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x75_726c_706f_6c6c  // "urlpoll"

    /// Async only to yield between responses: minutes of parsing on one of Swift's pool threads would delay
    /// every other test's servers and polls meanwhile.
    @Test func thousandsOfMutationsNeverBreakTheRule() async {
        var random = SplitMix64(seed: Self.seed)
        var counts = (cases: 0, bothAccepted: 0, leanStricter: 0, bothRejected: 0)
        var failures: [String] = []
        for text in Self.corpus {
            await Task.yield()
            let original = Array(text.utf8)
            for _ in 0..<Self.mutationsPerResponse {
                let bytes = Self.mutate(original, &random)
                let pieces = Self.split(bytes, &random)
                let isHEAD = random.next(below: 4) == 0
                let lean = Self.lean(pieces, isHEAD: isHEAD)
                let nio = Self.nio(pieces, isHEAD: isHEAD)
                counts.cases += 1
                switch (lean, nio) {
                case (.accepted, .accepted): counts.bothAccepted += 1
                case (.rejected, .accepted): counts.leanStricter += 1
                case (.rejected, .rejected): counts.bothRejected += 1
                case (.accepted, .rejected): break
                }
                // In pieces the same verdict as whole (an error may be found at another byte first).
                #expect(Self.lean([bytes], isHEAD: isHEAD).message == lean.message, "pieces and whole differ: \(Self.show(bytes))")
                if let problem = Self.disagreement(lean: lean, nio: nio), failures.count < 20 {
                    failures.append("\(problem): \(Self.show(bytes))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        print("differential: \(counts)")
        // Not vacuous: the mutations keep many responses valid and break many others.
        #expect(counts.cases == Self.corpus.count * Self.mutationsPerResponse)
        #expect(counts.bothAccepted > counts.cases / 4, "\(counts)")
        #expect(counts.bothRejected > counts.cases / 10, "\(counts)")
    }

    // MARK: Mutations

    /// Bytes that matter to HTTP framing, tried more often than others.
    static let interesting: [UInt8] = Array("\r\n:; \t,0123456789abcdefABCDEF-HTTP/".utf8) + [0, 0x01, 0x0B, 0x7F, 0x80, 0xFF]

    /// Header lines that change or break the framing.
    static let framingLines = [
        "Content-Length: 3\r\n", "Content-Length: 0\r\n", "content-length:5 \r\n", "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: identity\r\n",
        "Connection: close\r\n", "Connection: keep-alive\r\n", " folded continuation\r\n", "\tfolded\r\n",
        "Content-Length : 3\r\n", "X\u{01}Y: z\r\n", "X-A: b\u{00}c\r\n", "Location: /elsewhere\r\n", "Bad Name: v\r\n",
        ": no name\r\n", "X-\u{7F}: v\r\n",
    ]

    /// One to three random edits: a byte replaced, inserted or removed, a line repeated or inserted, a CR dropped.
    static func mutate(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0...random.next(below: 3) where !bytes.isEmpty {
            let position = random.next(below: bytes.count)
            let byte = random.next(below: 2) == 0 ? interesting[random.next(below: interesting.count)] : UInt8(random.next(below: 256))
            switch random.next(below: 7) {
            case 0: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2: bytes.remove(at: position)
            case 3:
                // Repeat the line around `position`.
                let start = bytes[..<position].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
                let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
                bytes.insert(contentsOf: bytes[start..<end], at: end)
            case 5:
                // A header line that matters for framing, at the start of a random line.
                let start = bytes[..<position].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
                bytes.insert(contentsOf: framingLines[random.next(below: framingLines.count)].utf8, at: start)
            case 4:
                if let cr = bytes[position...].firstIndex(of: UInt8(ascii: "\r")) { bytes.remove(at: cr) }
            default:
                // Flip the case of a letter, or a bit.
                bytes[position] ^= bytes[position].isASCIILetter ? 0x20 : UInt8(1 << random.next(below: 8))
            }
        }
        return bytes
    }

    /// `bytes` cut at up to four random points.
    static func split(_ bytes: [UInt8], _ random: inout SplitMix64) -> [[UInt8]] {
        guard bytes.count > 1 else { return [bytes] }
        let cuts = Set((0..<random.next(below: 5)).map { _ in 1 + random.next(below: bytes.count - 1) }).sorted()
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        pieces.append(Array(bytes[start...]))
        return pieces
    }

    /// The bytes escaped, for a failure message (the middle of a long response left out).
    static func show(_ bytes: [UInt8]) -> String {
        func escaped(_ part: ArraySlice<UInt8>) -> String {
            part.map { byte -> String in
                switch byte {
                case UInt8(ascii: "\r"): "\\r"
                case UInt8(ascii: "\n"): "\\n"
                case 0x20..<0x7F: String(UnicodeScalar(byte))
                default: "\\x" + String(byte, radix: 16)
                }
            }.joined()
        }
        guard bytes.count > 600 else { return "\"" + escaped(bytes[...]) + "\"" }
        return "\"" + escaped(bytes.prefix(300)) + "…" + escaped(bytes.suffix(300)) + "\""
    }
}

/// A small, fast, seeded pseudo-random generator (SplitMix64), so that every run tries the same mutations.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
    }
}
