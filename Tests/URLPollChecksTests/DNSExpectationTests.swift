import Foundation
import Testing

@testable import URLPollChecks
@testable import URLPollCore

/// The verdict on a DNS response alone, every condition in its order.
struct DNSExpectationTests {
    static func response(_ values: [String], code: DNSResponseCode = .noError) -> DNSResponse {
        var builder = DNSResponseBuilder()
        builder.flags = 0x8180 | code.value
        builder.answers = values.map { value in DNSResponseBuilder.record(type: 1, value.split(separator: ".").compactMap { UInt8($0) }) }
        return try! DNSResponse(builder.bytes, answering: DNSQuery(id: 0x1234, name: "a.test", type: .a))
    }

    static let cases: [(DNSExpectation, DNSResponse, Health, String)] = [
        (DNSExpectation(), response(["192.0.2.1", "192.0.2.2"]), .up, "NOERROR, 2 answers: 192.0.2.1, 192.0.2.2"),
        (DNSExpectation(), response([]), .down, "NOERROR, 0 answers (expected at least 1)"),
        (DNSExpectation(minimumAnswers: 0), response([]), .up, "NOERROR, 0 answers"),
        (DNSExpectation(), response([], code: .nxDomain), .down, "NXDOMAIN, 0 answers (expected NOERROR)"),
        (DNSExpectation(code: .nxDomain), response([], code: .nxDomain), .up, "NXDOMAIN, 0 answers"),
        (DNSExpectation(contains: ["192.0.2.2"]), response(["192.0.2.1", "192.0.2.2"]), .up, "NOERROR, 2 answers: 192.0.2.1, 192.0.2.2"),
        (DNSExpectation(contains: ["192.0.2.9", "192.0.2.1"]), response(["192.0.2.1"]), .down, "NOERROR, 1 answer: 192.0.2.1 (missing 192.0.2.9)"),
        (DNSExpectation(matches: try! BodyPattern(#"^192\.0\.2\."#)), response(["192.0.2.1"]), .up, "NOERROR, 1 answer: 192.0.2.1"),
        (
            DNSExpectation(matches: try! BodyPattern("^10\\.")), response(["192.0.2.1"]), .down,
            #"NOERROR, 1 answer: 192.0.2.1 (none matches /^10\./)"#
        ),
    ]

    @Test(arguments: cases.indices)
    func eachConditionInItsOrder(index: Int) {
        let (expectation, response, health, status) = Self.cases[index]
        let result = expectation.result(response)
        #expect(result.health == health)
        #expect(result.status == status)
        #expect(result.failure == (health == .up ? nil : .unexpectedAnswer))
    }

    @Test func namesAreComparedWithoutCaseOrTrailingDotAndMXByTarget() {
        let cname = DNSAnswer(name: "a.test", type: 5, ttl: 1, value: "Mail.Test")
        #expect(DNSExpectation.same(cname, "mail.test."))
        #expect(!DNSExpectation.same(cname, "mail.test.example"))
        let mx = DNSAnswer(name: "a.test", type: 15, ttl: 1, value: "10 mx.test")
        #expect(DNSExpectation.same(mx, "mx.test") && DNSExpectation.same(mx, "10 mx.test"))
        let txt = DNSAnswer(name: "a.test", type: 16, ttl: 1, value: "v=spf1 -all")
        #expect(!DNSExpectation.same(txt, "-all"))
    }

    @Test func theEndingsOfAnExchangeSayWhy() {
        #expect(DNSEnding.timedOut(limit: .seconds(2), ignored: 0).result(DNSExpectation()) == .failed(.timeout, "timed out after 2s"))
        #expect(
            DNSEnding.timedOut(limit: .seconds(2), ignored: 3).result(DNSExpectation())
                == .failed(.timeout, "timed out after 2s (3 messages not answering the query ignored)")
        )
        #expect(
            DNSEnding.unreadable(DNSParseError("a name runs past the end")).result(DNSExpectation())
                == .failed(.invalidAnswer, "invalid DNS answer (a name runs past the end)")
        )
    }
}
