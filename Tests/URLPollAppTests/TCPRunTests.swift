import Foundation
import Testing

@testable import URLPollTestSupport

/// `tcp://` URLs through the real binary: reports, exit statuses, the history and config errors.
@Suite(.timeLimit(.minutes(2)))
struct TCPRunTests {
    static let redisAvailable = RedisServer.isInstalled || Tool.required

    /// The JSON report's URL objects by URL.
    static func urls(in line: Substring) throws -> [String: [String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let urls = try #require(object["urls"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: urls.map { ($0["url"] as? String ?? "", $0) })
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func onceReportsEachPortWithItsKindAndExitsOneWhenOneIsDown() async throws {
        try await RedisServer.with { redis in
            let open = "tcp://127.0.0.1:\(redis.port)"
            let closed = "tcp://127.0.0.1:\(try PostgresCluster.unusedPort())"
            let result = try await URLPollProcess.run(["--once", "--format", "json", open, closed])
            #expect(result.status == 1, "\(result.stderr)")
            let line = try #require(result.stdout.split(separator: "\n").last)
            let urls = try Self.urls(in: line)
            #expect(urls[open]?["kind"] as? String == "tcp")
            #expect(urls[open]?["state"] as? String == "up")
            #expect(urls[open]?["status"] as? String == "connected")
            #expect(urls[open]?["code"] is NSNull)
            #expect(urls[open]?["method"] is NSNull)
            #expect(urls[open]?["address"] as? String == "127.0.0.1")
            #expect((urls[open]?["phases_ms"] as? [String: Any])?["connect"] is Double)
            #expect(urls[closed]?["state"] as? String == "down")
            #expect(urls[closed]?["status"] as? String == "connection refused")
            // The default history (a SQLite file in the working directory) took both results.
            #expect(result.stderr.isEmpty || !result.stderr.contains("error: "), "\(result.stderr)")
        }
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func aConfigFileSendsAndExpectsBesideHTTPURLs() async throws {
        try await RedisServer.with { redis in
            try await FakeTarget.with { target in
                let directory = try TemporaryDirectory()
                try """
                urls:
                  - url: tcp://127.0.0.1:\(redis.port)
                    name: redis
                    send: "PING\\r\\n"
                    expect: '^\\+PONG'
                  - url: tcp://localhost:\(redis.port)
                    send: "NOPE\\r\\n"
                    expect: '^\\+PONG'
                    timeout: 1s
                  - \(target.url("/ok"))
                """.save(toFile: directory.file("urlpoll.yml"))
                let result = try await URLPollProcess.run(["--once", "--format", "json", "-c", "urlpoll.yml"], directory: directory)
                #expect(result.status == 1, "\(result.stderr)")
                let urls = try Self.urls(in: try #require(result.stdout.split(separator: "\n").last))
                #expect(urls["tcp://127.0.0.1:\(redis.port)"]?["status"] as? String == "connected")
                #expect(urls["tcp://127.0.0.1:\(redis.port)"]?["name"] as? String == "redis")
                let wrong = urls["tcp://localhost:\(redis.port)"]?["status"] as? String ?? ""
                #expect(wrong.hasPrefix(#"expected /^\+PONG/, got "-ERR unknown command"#), "\(wrong)")
                #expect(urls[target.url("/ok")]?["kind"] as? String == "http")
                #expect(urls[target.url("/ok")]?["method"] as? String == "HEAD")
                let history = try await URLPollProcess.run(["history", "tcp://127.0.0.1:\(redis.port)"], directory: directory)
                #expect(history.status == 0, "\(history.stderr)")
                #expect(history.stdout.contains("connected"), "\(history.stdout)")
            }
        }
    }

    /// `tls://` through the whole run: the TLS files are prepared as for https (ca-file relative to the
    /// config), and cert-expiry-warning applies.
    @Test func aTLSPortIsVerifiedWithItsCAAndItsExpiryIsWatched() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve { port in
            try """
            urls:
              - url: tls://127.0.0.1:\(port)
                ca-file: ca.pem
              - url: tcp://127.0.0.1:\(port)
                tls: true
                ca-file: ca.pem
                cert-expiry-warning: 7d
            """.save(toFile: directory.file("urlpoll.yml"))
            let result = try await URLPollProcess.run(["--once", "--format", "json", "-c", "urlpoll.yml"], directory: directory)
            #expect(result.status == 1, "\(result.stderr)")
            let urls = try Self.urls(in: try #require(result.stdout.split(separator: "\n").last))
            let verified = try #require(urls["tls://127.0.0.1:\(port)"])
            #expect(verified["kind"] as? String == "tls")
            #expect((verified["status"] as? String ?? "").hasPrefix("connected, TLS 1.3, certificate expires in "), "\(verified)")
            #expect(verified["cert_expires_at"] is String)
            #expect((verified["phases_ms"] as? [String: Any])?["tls"] is Double)
            let warned = try #require(urls["tcp://127.0.0.1:\(port)"])
            #expect(warned["state"] as? String == "down")
            #expect((warned["status"] as? String ?? "").contains(", but the certificate expires in "), "\(warned)")
        }
    }

    @Test func anHTTPSettingOnATCPURLIsOneErrorWithItsPositionAndExit64() async throws {
        let directory = try TemporaryDirectory()
        try "urls:\n  - url: tcp://127.0.0.1:6379\n    body-contains: PONG\n".save(toFile: directory.file("urlpoll.yml"))
        let result = try await URLPollProcess.run(["--once", "-c", "urlpoll.yml"], directory: directory)
        #expect(result.status == 64)
        #expect(result.stderr.contains("urlpoll.yml:3:5: urls[0].body-contains: does not apply to tcp:// URLs (an http setting)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func aTCPURLWithoutAPortIsRefusedOnTheCommandLine() async throws {
        let result = try await URLPollProcess.run(["--once", "tcp://127.0.0.1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains(#"argument 1: invalid URL "tcp://127.0.0.1": missing port (write tcp://host:port)"#), "\(result.stderr)")
    }
}
