import Foundation
import NIOCore
import Testing

@testable import LeanHTTP
@testable import URLPollCore
@testable import URLPollTestSupport

/// The response parser on its own, fed the way a connection feeds it: in arbitrary pieces.
struct HTTPResponseParserTests {
    /// What a whole response parsed into.
    struct Parsed: Equatable {
        var head: HTTPResponseParser.Head?
        var body = ""
        var ended = false
        /// Bytes after the end of the response.
        var leftover = ""
    }

    /// Feeds `pieces` one after the other, keeping unparsed bytes for the next piece as the connection
    /// handler does; then, if `closes`, tells the parser the connection closed.
    static func parse(_ pieces: [String], isResponseToHEAD: Bool = false, closes: Bool = false) throws -> Parsed {
        var parser = HTTPResponseParser(isResponseToHEAD: isResponseToHEAD)
        var parsed = Parsed()
        var unparsed = ByteBuffer()
        func apply(_ event: HTTPResponseParser.Event) {
            switch event {
            case .head(let head): parsed.head = head
            case .body(let bytes): parsed.body += String(buffer: bytes)
            case .end: parsed.ended = true
            }
        }
        for piece in pieces {
            unparsed.writeString(piece)
            while !parser.isComplete, let event = try parser.next(&unparsed) { apply(event) }
        }
        if closes, let event = parser.connectionClosed() { apply(event) }
        parsed.leftover = String(buffer: unparsed)
        return parsed
    }

    /// Parses `text` whole, then split in two at every position; every split must give the same result.
    static func parseSplitEverywhere(_ text: String, isResponseToHEAD: Bool = false, closes: Bool = false) throws -> Parsed {
        let whole = try parse([text], isResponseToHEAD: isResponseToHEAD, closes: closes)
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            let split = try parse(pieces, isResponseToHEAD: isResponseToHEAD, closes: closes)
            #expect(split == whole, "split at byte \(cut)")
        }
        return whole
    }

    static func head(_ code: Int, _ reason: String, keepAlive: Bool = true, length: Int?, location: String? = nil, minor: Int = 1)
        -> HTTPResponseParser.Head
    {
        HTTPResponseParser.Head(minorVersion: minor, code: code, reason: reason, location: location, isKeepAlive: keepAlive, bodyLength: length)
    }

    @Test func aContentLengthBodyEndsAfterItsLength() throws {
        let parsed = try Self.parseSplitEverywhere(
            "HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-LENGTH: 5\r\nConnection: keep-alive\r\n\r\nhelloHTTP/1.1"
        )
        #expect(parsed == Parsed(head: Self.head(200, "OK", length: 5), body: "hello", ended: true, leftover: "HTTP/1.1"))
    }

    @Test func aChunkedBodyIsJoinedAndItsTrailersSkipped() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let parsed = try Self.parseSplitEverywhere(text)
        #expect(parsed == Parsed(head: Self.head(200, "OK", length: nil), body: "hello, world!!!", ended: true))
    }

    @Test func aHEADAnswerHasNoBodyWhateverItsLength() throws {
        let parsed = try Self.parseSplitEverywhere("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", isResponseToHEAD: true)
        #expect(parsed == Parsed(head: Self.head(200, "OK", length: 0), ended: true))
    }

    @Test(arguments: [204, 304])
    func noContentAndNotModifiedHaveNoBody(code: Int) throws {
        let parsed = try Self.parse(["HTTP/1.1 \(code) X\r\nContent-Length: 10\r\n\r\n"])
        #expect(parsed == Parsed(head: Self.head(code, "X", length: 0), ended: true))
    }

    @Test func interimAnswersAreSkipped() throws {
        let parsed = try Self.parseSplitEverywhere(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"
        )
        #expect(parsed == Parsed(head: Self.head(302, "Found", length: 0, location: "/next"), ended: true))
    }

    @Test func aBodyWithoutLengthRunsUntilTheConnectionCloses() throws {
        let parsed = try Self.parseSplitEverywhere("HTTP/1.0 200 OK\r\n\r\nall of it", closes: true)
        #expect(parsed == Parsed(head: Self.head(200, "OK", keepAlive: false, length: nil, minor: 0), body: "all of it", ended: true))
        let open = try Self.parse(["HTTP/1.1 200 OK\r\n\r\nsome"])
        #expect(!open.ended)
    }

    @Test func keepAliveFollowsTheVersionAndTheConnectionHeader() throws {
        let cases: [(String, Bool)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", false),
        ]
        for (text, keepAlive) in cases {
            #expect(try Self.parse([text]).head?.isKeepAlive == keepAlive, "\(text)")
        }
    }

    @Test func aMissingReasonIsAccepted() throws {
        let parsed = try Self.parse(["HTTP/1.1 404\r\nContent-Length: 2\r\n\r\nno"])
        #expect(parsed == Parsed(head: Self.head(404, "", length: 2), body: "no", ended: true))
    }

    @Test(arguments: MalformedResponses.all)
    func malformedResponsesAreRejectedWithTheReason(text: String, reason: String) {
        #expect(throws: InvalidHTTPResponse(reason: reason)) { try Self.parse([text]) }
        // Whatever the pieces: byte by byte too.
        #expect(throws: InvalidHTTPResponse.self) { try Self.parse(text.utf8.map { String(decoding: [$0], as: UTF8.self) }) }
    }

    @Test func anEndlessHeadIsRejectedAtTheLimit() throws {
        var pieces = ["HTTP/1.1 200 OK\r\n"]
        pieces += Array(repeating: String(repeating: "X-Filler: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n", count: 10), count: 200)
        #expect(throws: InvalidHTTPResponse(reason: "too many header bytes: more than 80 KiB")) {
            try Self.parse(pieces)
        }
        let endlessChunkLine = ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1", String(repeating: ";", count: 5000)]
        #expect(throws: InvalidHTTPResponse(reason: "chunk size line too long")) { try Self.parse(endlessChunkLine) }
    }

    @Test func theRequestHeadCarriesHostUserAgentAndTheChecksHeaders() throws {
        let target = try #require(HTTPTarget(url: "http://Example.org:8080/a?b=1#frag"))
        var buffer = ByteBuffer()
        RequestHead(method: .head, target: target, headers: [], userAgent: "agent/1").write(into: &buffer)
        #expect(String(buffer: buffer) == "HEAD /a?b=1 HTTP/1.1\r\nHost: example.org:8080\r\nUser-Agent: agent/1\r\n\r\n")
        buffer.clear()
        let headers = [LeanHTTPRequest.Header(name: "host", value: "other"), LeanHTTPRequest.Header(name: "Authorization", value: "Bearer t")]
        RequestHead(method: .get, target: target, headers: headers, userAgent: "agent/1").write(into: &buffer)
        #expect(String(buffer: buffer) == "GET /a?b=1 HTTP/1.1\r\nUser-Agent: agent/1\r\nhost: other\r\nAuthorization: Bearer t\r\n\r\n")
    }
}
