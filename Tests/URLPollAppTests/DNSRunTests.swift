import Foundation
import Testing

@testable import URLPollTestSupport

/// `dns://` URLs through the real binary, beside a tcp and an http URL: kinds, statuses, exit status.
@Suite(.timeLimit(.minutes(2)))
struct DNSRunTests {
    @Test(.enabled(if: DnsmasqServer.isInstalled || Tool.required, "needs dnsmasq"))
    func aMixedListReportsEachKind() async throws {
        try await DnsmasqServer.with { dns in
            try await FakeTarget.with { target in
                let directory = try TemporaryDirectory()
                try """
                urls:
                  - dns://127.0.0.1:\(dns.port)/multi.test
                  - url: dns+tcp://127.0.0.1:\(dns.port)/mail.test?type=MX
                    answers-contain: mx.mail.test
                  - url: dns://127.0.0.1:\(dns.port)/nope.test
                    rcode: NXDOMAIN
                  - dns://127.0.0.1:\(dns.port)/gone.test
                  - tcp://127.0.0.1:\(dns.port)
                  - \(target.url("/ok"))
                """.save(toFile: directory.file("urlpoll.yml"))
                let result = try await URLPollProcess.run(["--once", "--format", "json", "-c", "urlpoll.yml"], directory: directory)
                #expect(result.status == 1, "\(result.stderr)")
                let line = try #require(result.stdout.split(separator: "\n").last)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let urls = try #require(object["urls"] as? [[String: Any]])
                let byURL = Dictionary(uniqueKeysWithValues: urls.map { ($0["url"] as? String ?? "", $0) })
                let base = "127.0.0.1:\(dns.port)"
                let multi = byURL["dns://\(base)/multi.test"]?["status"] as? String ?? ""
                #expect(["NOERROR, 2 answers: 192.0.2.1, 192.0.2.2", "NOERROR, 2 answers: 192.0.2.2, 192.0.2.1"].contains(multi), "\(multi)")
                #expect(byURL["dns://\(base)/multi.test"]?["kind"] as? String == "dns")
                #expect(byURL["dns+tcp://\(base)/mail.test?type=MX"]?["state"] as? String == "up")
                #expect(byURL["dns+tcp://\(base)/mail.test?type=MX"]?["kind"] as? String == "dns")
                #expect(byURL["dns://\(base)/nope.test"]?["state"] as? String == "up")
                #expect(byURL["dns://\(base)/gone.test"]?["status"] as? String == "NXDOMAIN, 0 answers (expected NOERROR)")
                #expect(byURL["tcp://\(base)"]?["kind"] as? String == "tcp")
                #expect(byURL[target.url("/ok")]?["kind"] as? String == "http")
                #expect(object["up"] as? Int == 5 && object["down"] as? Int == 1)
            }
        }
    }
}
