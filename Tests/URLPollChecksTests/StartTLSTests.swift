import Foundation
import NIOCore
import Testing

@testable import URLPollChecks
@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

/// SMTP replies alone, and `starttls: smtp` against a real SMTP server (aiosmtpd) with the test CA.
struct StartTLSTests {
    @Test func repliesAreReadLineByLineAndMultiLineRepliesWhole() throws {
        var replies = SMTPReplies()
        #expect(try replies.receive(Array("220 mail.test ESMTP\r\n250-mail.test\r\n250-STARTTLS\r".utf8)).map(\.summary) == ["220 mail.test ESMTP"])
        let hello = try replies.receive(Array("\n250 8BITMIME\n".utf8))
        #expect(hello == [SMTPReplies.Reply(code: 250, lines: ["mail.test", "STARTTLS", "8BITMIME"])])
        #expect(try replies.receive(Array("354\r\n".utf8)) == [SMTPReplies.Reply(code: 354, lines: [""])])
    }

    static let malformed: [(String, String)] = [
        ("HTTP/1.1 200 OK\r\n", #"invalid SMTP reply (not a reply line: "HTTP/1.1 200 OK")"#),
        ("250-a\r\n354 b\r\n", "invalid SMTP reply (the code changes within a reply (250, then 354))"),
        ("99 x\r\n", #"invalid SMTP reply (not a reply line: "99 x")"#),
        (String(repeating: "a", count: 1_001), "invalid SMTP reply (a line over 1000 bytes)"),
        (String(repeating: "250-x\r\n", count: 101), "invalid SMTP reply (a reply of over 100 lines)"),
    ]

    @Test(arguments: malformed)
    func aMalformedReplyIsOneReason(text: String, reason: String) {
        var replies = SMTPReplies()
        #expect(throws: SMTPReplies.Malformed(reason: String(reason.dropFirst("invalid SMTP reply (".count).dropLast()))) {
            _ = try replies.receive(Array(text.utf8))
        }
    }

    static func run(_ port: Int, _ settings: TLSSettings?) async throws -> CheckResult {
        let context = CheckContext(
            timeout: .seconds(20),
            connectTimeout: .seconds(10),
            deadline: .now() + .seconds(20),
            ipVersion: .any,
            tls: try settings.map { try TLSPreparation.make($0, insecure: false) }
        )
        return await TCPCheck(host: "127.0.0.1", port: port, tls: true, startTLS: .smtp).run(context)
    }

    @Test(.enabled(if: SMTPServer.isInstalled || Tool.required, "needs python3 with aiosmtpd"))
    func anSMTPServersCertificateIsCheckedAfterSTARTTLS() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try pki.writeServerFiles(into: directory)
        try await SMTPServer.with(certificate: directory.file("server.pem"), key: directory.file("server.key")) { smtp in
            let verified = try await Self.run(smtp.port, TLSSettings(caFile: directory.file("ca.pem")))
            #expect(verified.health == .up, "\(verified.status)")
            #expect(verified.status.hasPrefix("connected, TLS 1."), "\(verified.status)")
            #expect(verified.certificateExpiry != nil && verified.phases[.tls] != nil)
            let untrusted = try await Self.run(smtp.port, nil)
            #expect(untrusted.failure == .tls, "\(untrusted.status)")
        }
    }

    @Test(.enabled(if: RedisServer.isInstalled || Tool.required, "needs redis-server"))
    func aServerThatIsNotSMTPSaysSo() async throws {
        try await RedisServer.with { redis in
            // Redis says nothing first: the greeting never comes, and the deadline ends the wait.
            let context = CheckContext(timeout: .seconds(1), connectTimeout: .seconds(1), deadline: .now() + .seconds(1), ipVersion: .any)
            let result = await TCPCheck(host: "127.0.0.1", port: redis.port, tls: true, startTLS: .smtp).run(context)
            #expect(result.failure == .timeout && result.status == "timed out after 1s in the SMTP exchange", "\(result.status)")
        }
    }
}
