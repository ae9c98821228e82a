import Foundation
import Testing

@testable import URLPollTestSupport

/// 1,000 URLs of every kind built so far in one `--once` run of the binary, with the default history:
/// each is polled once, the report counts them right, and the history holds each kind's result.
@Suite(.timeLimit(.minutes(3)))
struct MixedKindsRunTests {
    static let toolsAvailable = (RedisServer.isInstalled && DnsmasqServer.isInstalled) || Tool.required

    @Test(.enabled(if: toolsAvailable, "needs redis-server and dnsmasq"))
    func aThousandURLsOfEveryKindInOneRun() async throws {
        let names = (1...496).map { "n\($0).test" }
        let zone = DnsmasqServer.zone + names.enumerated().map { "--host-record=\($1),198.51.100.\($0 % 250 + 1)" }
        try await DnsmasqServer.with(zone) { dns in
            try await RedisServer.with { redis in
                try await FakeTarget.with { target in
                    let directory = try TemporaryDirectory()
                    var lines = ["pollers: 64", "urls:"]
                    lines += (0..<500).map { "  - \(target.url("/status/200?n=\($0)"))" }
                    lines += names.map { "  - dns://127.0.0.1:\(dns.port)/\($0)" }
                    lines += ["  - tcp://127.0.0.1:\(redis.port)", "  - tcp://localhost:\(redis.port)"]
                    lines += ["  - url: tcp://[::1]:\(redis.port)", "    send: \"PING\\\\r\\\\n\"", "    expect: '^\\+PONG'"]
                    // One down URL of each kind.
                    lines += [
                        "  - \(target.url("/status/500"))", "  - dns://127.0.0.1:\(dns.port)/gone.test",
                        "  - tcp://127.0.0.1:\(try PostgresCluster.unusedPort())",
                    ]
                    try (lines.joined(separator: "\n") + "\n").save(toFile: directory.file("urlpoll.yml"))
                    let result = try await URLPollProcess.run(["--once", "--format", "json", "-c", "urlpoll.yml"], directory: directory)
                    #expect(result.status == 1, "\(result.stderr.prefix(2_000))")
                    let line = try #require(result.stdout.split(separator: "\n").last)
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    #expect(object["up"] as? Int == 999 && object["down"] as? Int == 3 && object["pending"] as? Int == 0, "\(object["up"] ?? "?")")
                    let urls = try #require(object["urls"] as? [[String: Any]])
                    let kinds = Dictionary(grouping: urls, by: { $0["kind"] as? String ?? "?" }).mapValues(\.count)
                    #expect(kinds == ["http": 501, "dns": 497, "tcp": 4])
                    let history = try await URLPollProcess.run(
                        ["history", "--format", "json", "dns://127.0.0.1:\(dns.port)/n7.test"],
                        directory: directory
                    )
                    #expect(history.status == 0, "\(history.stderr)")
                    #expect(history.stdout.contains("NOERROR, 1 answer: 198.51.100.7"), "\(history.stdout.prefix(500))")
                }
            }
        }
    }
}
