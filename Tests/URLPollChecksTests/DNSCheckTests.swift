import Foundation
import NIOCore
import Testing

@testable import URLPollChecks
@testable import URLPollCore
@testable import URLPollTestSupport

/// The DNS check against a real dnsmasq on loopback (a zone of the test's own, nothing forwarded) and
/// against hostile servers of the test's own.
@Suite(.timeLimit(.minutes(1)))
struct DNSCheckTests {
    static let dnsmasqAvailable = DnsmasqServer.isInstalled || Tool.required

    static func run(_ check: DNSCheck, timeout: Duration = .seconds(10)) async -> CheckResult {
        await check.run(CheckContext(timeout: timeout, connectTimeout: timeout, deadline: .now() + TimeAmount(timeout), ipVersion: .any))
    }

    static func check(_ port: Int, _ name: String, _ type: DNSRecordType, tcp: Bool = false, _ expecting: DNSExpectation = DNSExpectation())
        -> DNSCheck
    {
        DNSCheck(server: "127.0.0.1", port: port, name: name, type: type, overTCP: tcp, expecting: expecting)
    }

    static let answers: [(String, DNSRecordType, String)] = [
        ("multi.test", .a, "NOERROR, 2 answers: 192.0.2.1, 192.0.2.2"),
        ("six.test", .aaaa, "NOERROR, 1 answer: 2001:db8::1"),
        ("alias.test", .cname, "NOERROR, 1 answer: multi.test"),
        ("mail.test", .mx, "NOERROR, 1 answer: 10 mx.mail.test"),
        ("txt.test", .txt, "NOERROR, 1 answer: v=spf1 -all"),
        ("_imap._tcp.test", .srv, "NOERROR, 1 answer: 10 60 143 mail.test"),
        ("1.2.0.192.in-addr.arpa", .ptr, "NOERROR, 1 answer: multi.test"),
        ("caa.test", .caa, #"NOERROR, 1 answer: 0 issue "ca.example""#),
    ]

    @Test(.enabled(if: dnsmasqAvailable, "needs dnsmasq"))
    func everyTypeIsAnsweredOverUDPAndTCP() async throws {
        try await DnsmasqServer.with { server in
            for (name, type, status) in Self.answers {
                for tcp in [false, true] {
                    let result = await Self.run(Self.check(server.port, name, type, tcp: tcp))
                    #expect(result.health == .up, "\(name) \(type.name) tcp \(tcp): \(result.status)")
                    // dnsmasq rotates the order of several answers.
                    let swapped = status.replacingOccurrences(of: "192.0.2.1, 192.0.2.2", with: "192.0.2.2, 192.0.2.1")
                    #expect([status, swapped].contains(result.status), "\(name) \(type.name) tcp \(tcp): \(result.status)")
                    #expect(result.phases[.ttfb] != nil)
                }
            }
        }
    }

    @Test(.enabled(if: dnsmasqAvailable, "needs dnsmasq"))
    func anUnknownNameIsNXDOMAINAndTheExpectationsDecide() async throws {
        try await DnsmasqServer.with { server in
            let missing = await Self.run(Self.check(server.port, "nope.test", .a))
            #expect(missing.health == .down && missing.status == "NXDOMAIN, 0 answers (expected NOERROR)")
            let expectedMissing = await Self.run(Self.check(server.port, "nope.test", .a, DNSExpectation(code: .nxDomain)))
            #expect(expectedMissing.health == .up)
            let contains = await Self.run(Self.check(server.port, "multi.test", .a, DNSExpectation(contains: ["192.0.2.2"])))
            #expect(contains.health == .up)
            let wrong = await Self.run(Self.check(server.port, "multi.test", .a, DNSExpectation(contains: ["192.0.2.9"])))
            #expect(wrong.health == .down && wrong.status.hasSuffix("(missing 192.0.2.9)"))
            #expect(wrong.failure == .unexpectedAnswer)
        }
    }

    static func answer(_ query: [UInt8], change: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
        // The query's header and question, turned into a response with one A record (a pointer to the name).
        var bytes = query
        bytes[2] = 0x81
        bytes[3] = 0x80
        bytes[7] = 1
        bytes += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 99]
        change(&bytes)
        return bytes
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        try await HostileDNSServer.with({ _ in [] }) { server in
            let result = await Self.run(Self.check(server.port, "a.test", .a), timeout: .milliseconds(500))
            #expect(result.failure == .timeout && result.status == "timed out after 500ms")
        }
    }

    @Test func anotherIDIsIgnoredAndSaid() async throws {
        try await HostileDNSServer.with({ query in [Self.answer(query) { $0[0] ^= 0xFF }] }) { server in
            // Long enough for the wrong answer to arrive first on a loaded machine.
            let result = await Self.run(Self.check(server.port, "a.test", .a), timeout: .seconds(3))
            #expect(result.status == "timed out after 3s (1 message not answering the query ignored)")
        }
    }

    @Test func theFirstOfTwoAnswersCounts() async throws {
        try await HostileDNSServer.with({ query in [Self.answer(query), Self.answer(query) { $0[$0.count - 1] = 1 }] }) { server in
            let result = await Self.run(Self.check(server.port, "a.test", .a))
            #expect(result.health == .up && result.status == "NOERROR, 1 answer: 192.0.2.99")
        }
    }

    @Test func aCompressionLoopIsAnInvalidAnswer() async throws {
        try await HostileDNSServer.with({ query in
            [
                Self.answer(query) {
                    $0[$0.count - 16] = 0xC0; $0[$0.count - 15] = UInt8($0.count - 16)
                }
            ]
        }) { server in
            let result = await Self.run(Self.check(server.port, "a.test", .a))
            #expect(result.failure == .invalidAnswer)
            #expect(result.status == "invalid DNS answer (a compression pointer that loops or points forward)")
        }
    }

    @Test func aPortNothingListensOnIsRefused() async throws {
        let result = await Self.run(Self.check(try PostgresCluster.unusedPort(), "a.test", .a))
        #expect(result.failure == .refused, "\(result.status)")
    }
}
