import Foundation
import Testing

@testable import URLPollChecks
@testable import URLPollCore
@testable import URLPollTestSupport

/// The expectation of a TCP check alone: every way an exchange ends, fed as bytes, without a socket.
struct TCPExpectationTests {
    static func expectation(_ pattern: String) throws -> TCPExpectation { TCPExpectation(try BodyPattern(pattern)) }

    @Test func anAnswerThatMatchesIsUpEvenInPieces() throws {
        var expectation = try Self.expectation(#"^\+PONG"#)
        #expect(expectation.receive(Array("+PO".utf8)) == nil)
        #expect(expectation.receive(Array("NG\r\n".utf8)) == .matched)
        #expect(expectation.result(.matched) == CheckResult(health: .up, status: "connected"))
    }

    static let endings: [(String, TCPExpectation.Ending, String, FailureKind)] = [
        ("-ERR unknown\r\n", .closed, #"expected /^\+PONG/, got "-ERR unknown\r\n" (connection closed by server)"#, .unexpectedAnswer),
        ("", .closed, #"expected /^\+PONG/, got nothing (connection closed by server)"#, .unexpectedAnswer),
        ("", .timedOut(limit: .seconds(5)), #"expected /^\+PONG/, got nothing (timed out after 5s)"#, .timeout),
        ("+PO", .timedOut(limit: .milliseconds(1500)), #"expected /^\+PONG/, got "+PO" (timed out after 1.5s)"#, .timeout),
        ("", .failed(.reset, reason: "connection reset by peer"), #"expected /^\+PONG/, got nothing (connection reset by peer)"#, .reset),
    ]

    @Test(arguments: endings)
    func everyOtherEndingIsDownAndSaysWhatCame(received: String, ending: TCPExpectation.Ending, status: String, kind: FailureKind) throws {
        var expectation = try Self.expectation(#"^\+PONG"#)
        if !received.isEmpty { #expect(expectation.receive(Array(received.utf8)) == nil) }
        let result = expectation.result(ending)
        #expect(result.health == .down)
        #expect(result.status == status)
        #expect(result.failure == kind)
    }

    @Test func controlCharactersAreShownAsEscapes() {
        #expect(TCPExpectation.escaped(Array("a\r\n\t\u{1}b".utf8)) == #"a\r\n\t\x01b"#)
    }

    @Test func atMost64KiBAreReadAndTheQuoteIsBounded() throws {
        var expectation = try Self.expectation("never")
        #expect(expectation.receive([UInt8](repeating: UInt8(ascii: "a"), count: 40_000)) == nil)
        #expect(expectation.receive([UInt8](repeating: UInt8(ascii: "a"), count: 40_000)) == .full)
        #expect(expectation.received.count == TCPExpectation.limit)
        let status = expectation.result(.full).status
        #expect(status.hasPrefix("expected /never/ in the first 64KiB, got \"aaa"))
        #expect(status.count < 100 + Excerpt.limit)
    }
}
