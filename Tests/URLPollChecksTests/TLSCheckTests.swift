import Foundation
import NIOCore
import Testing

@testable import URLPollChecks
@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

/// `tls://` (a TCP check with a TLS handshake first) against TLS servers of the test's own CA on
/// loopback: verified, unverified, the wrong name, mutual TLS, TLS 1.2 and the certificate's expiry.
@Suite(.timeLimit(.minutes(1)))
struct TLSCheckTests {
    static func run(
        _ port: Int,
        _ settings: TLSSettings? = nil,
        insecure: Bool = false,
        send: String? = nil,
        expect: String? = nil
    ) async throws -> CheckResult {
        let prepared = try settings.map { try TLSPreparation.make($0, insecure: insecure) }
        let context = CheckContext(
            timeout: .seconds(20),
            connectTimeout: .seconds(10),
            deadline: .now() + .seconds(20),
            ipVersion: .any,
            tls: prepared,
            insecureTLS: insecure
        )
        let check = TCPCheck(host: "127.0.0.1", port: port, send: send.map { Array($0.utf8) }, expect: try expect.map(BodyPattern.init), tls: true)
        return await check.run(context)
    }

    @Test func aServerOfTheTrustedCAIsUpWithItsVersionAndExpiry() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve { port in
            let result = try await Self.run(port, TLSSettings(caFile: directory.file("ca.pem")))
            #expect(result.health == .up, "\(result.status)")
            #expect(result.status.hasPrefix("connected, TLS 1.3, certificate expires in "), "\(result.status)")
            #expect(result.certificateExpiry != nil)
            #expect(result.phases[.connect] != nil && result.phases[.tls] != nil)
            let tls12 = try await pki.serve(tls12Only: true) { port in try await Self.run(port, TLSSettings(caFile: directory.file("ca.pem"))) }
            #expect(tls12.status.hasPrefix("connected, TLS 1.2, "), "\(tls12.status)")
        }
    }

    @Test func anUntrustedOrMisnamedCertificateIsATLSFailure() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve { port in
            let untrusted = try await Self.run(port)
            #expect(untrusted.health == .down)
            #expect(untrusted.failure == .tls)
            #expect(untrusted.status.contains("CERTIFICATE_VERIFY_FAILED"), "\(untrusted.status)")
            let insecure = try await Self.run(port, insecure: true)
            #expect(insecure.health == .up, "\(insecure.status)")
        }
        try await pki.serve(names: [.dnsName("other.test")]) { port in
            let misnamed = try await Self.run(port, TLSSettings(caFile: directory.file("ca.pem")))
            #expect(misnamed.health == .down)
            #expect(misnamed.failure == .tls, "\(misnamed.status)")
            let named = try await Self.run(port, TLSSettings(caFile: directory.file("ca.pem"), serverName: "other.test"))
            #expect(named.health == .up, "\(named.status)")
        }
    }

    /// In TLS 1.3 the server refuses a missing client certificate after the client's handshake has ended,
    /// so the refusal shows in the exchange: an HTTP request here, as `send`/`expect` would make it.
    @Test func mutualTLSNeedsTheClientCertificate() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve(requireClientCertificate: true) { port in
            let withCA = TLSSettings(caFile: directory.file("ca.pem"))
            let request = (send: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", expect: "^HTTP/1.1 200")
            let anonymous = try await Self.run(port, withCA, send: request.send, expect: request.expect)
            #expect(anonymous.health == .down, "\(anonymous.status)")
            #expect(anonymous.failure != nil)
            let client = TLSSettings(caFile: withCA.caFile, clientCertificate: directory.file("client.pem"), clientKey: directory.file("client.key"))
            let identified = try await Self.run(port, client, send: request.send, expect: request.expect)
            #expect(identified.health == .up, "\(identified.status)")
        }
    }

    @Test func aTLS13OnlyClientRefusesATLS12Server() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve(tls12Only: true) { port in
            let result = try await Self.run(port, TLSSettings(caFile: directory.file("ca.pem"), minimumVersion: .tls13))
            #expect(result.health == .down)
            #expect(result.failure == .tls, "\(result.status)")
        }
    }

    @Test func theCertificateExpiryIsJudgedByCertExpiryWarning() async throws {
        try await TLSTarget.with(validFor: 3 * 86_400) { target in
            let result = try await Self.run(target.port, insecure: true)
            #expect(result.health == .up)
            #expect(result.status.hasSuffix("certificate expires in 2d") || result.status.hasSuffix("certificate expires in 3d"), "\(result.status)")
            #expect(result.certificateExpiry == target.notValidAfter)
            let warned = CheckVerdict(result, latency: .milliseconds(5), options: CheckOptions(certExpiryWarning: .seconds(14 * 86_400)), now: Date())
            #expect(verdictIsDownForExpiry(warned), "\(warned.status)")
        }
    }

    func verdictIsDownForExpiry(_ verdict: CheckVerdict) -> Bool {
        verdict.health == .down && verdict.status.contains(", but the certificate expires in ") && verdict.status.contains("cert-expiry-warning 14d")
    }

    /// The handshake summary alone, on a fixed clock.
    @Test func theHandshakeSummarySaysVersionAndDaysLeft() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let soon = TLSHandshake(version: .tlsv13, certificateExpiry: now.addingTimeInterval(41 * 86_400 + 3_600))
        #expect(soon.status("connected", now: now) == "connected, TLS 1.3, certificate expires in 41d")
        #expect(
            TLSHandshake(version: .tlsv12, certificateExpiry: now.addingTimeInterval(5 * 3_600 + 60)).status("connected", now: now)
                == "connected, TLS 1.2, certificate expires in 5h"
        )
        #expect(
            TLSHandshake(version: nil, certificateExpiry: now.addingTimeInterval(-1)).status("connected", now: now)
                == "connected, certificate expired"
        )
    }
}
