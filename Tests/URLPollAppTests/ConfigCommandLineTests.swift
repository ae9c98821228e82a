import Foundation
import Testing

@testable import URLPollTestSupport

/// The real binary with config files: checking, polling with per-URL settings, secrets, and SIGHUP reloads.
@Suite(.timeLimit(.minutes(2)))
struct ConfigCommandLineTests {
    @Test func checkConfigListsWhatWouldBeMonitoredWithoutSecrets() async throws {
        let config = try TemporaryFile(
            """
            interval: 30s
            urls:
              - http://127.0.0.1:9/plain
              - url: http://127.0.0.1:9/api
                name: API
                method: GET
                headers:
                  Authorization: Bearer ${API_TOKEN}
                body-contains: ok
            """
        )
        let result = try await URLPollProcess.run(["--check-config", "-c", config.path], environment: ["API_TOKEN": "s3cret-value"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("configuration OK: 2 URLs, 64 pollers"))
        #expect(
            result.stdout.contains(
                #"http://127.0.0.1:9/api    API   GET     30s       10s      200-399  body contains "ok"; header Authorization: <redacted> (kept from other origins)"#
            )
        )
        #expect(!result.stdout.contains("s3cret") && !result.stderr.contains("s3cret"))

        let missing = try await URLPollProcess.run(["--check-config", "--config", config.path])
        #expect(missing.status == 64)
        #expect(missing.stderr == "Error: \(config.path):8:22: urls[1].headers.Authorization: environment variable API_TOKEN is not set\n")
    }

    @Test func aBadConfigIsOneMessageAndExit64() async throws {
        let config = try TemporaryFile("urls:\n  - url: http://127.0.0.1:9/\n    timout: 5s\n")
        let result = try await URLPollProcess.run(["-c", config.path])
        #expect(result.status == 64)
        #expect(result.stderr == "Error: \(config.path):3:5: unknown key \"timout\" in urls[0] (did you mean \"timeout\"?)\n")
        let absent = try await URLPollProcess.run(["-c", "/nonexistent/urlpoll.yml"])
        #expect(absent.status == 64 && absent.stderr == "Error: /nonexistent/urlpoll.yml: cannot read the config file (no such file)\n")
    }

    @Test func pollsWithEachURLsSettingsAndReportsMethodAndName() async throws {
        try await FakeTarget.with { target in
            let config = try TemporaryFile(
                """
                defaults:
                  timeout: 5s
                urls:
                  - url: \(target.url("/body"))
                    name: Body OK
                    body-contains: '"status":"ok"'
                  - url: \(target.url("/nohead"))
                    name: No HEAD
                  - url: \(target.url("/status/204"))
                    expect: [200]
                """
            )
            let result = try await URLPollProcess.run(["--once", "--format", "json", "-c", config.path, target.url("/ok")])
            #expect(result.status == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let urls = try #require(object["urls"] as? [[String: Any]])
            let byURL = Dictionary(uniqueKeysWithValues: urls.map { ($0["url"] as? String ?? "", $0) })
            let body = try #require(byURL[target.url("/body")])
            #expect(body["state"] as? String == "up" && body["method"] as? String == "GET" && body["name"] as? String == "Body OK")
            let noHead = try #require(byURL[target.url("/nohead")])
            #expect(noHead["state"] as? String == "up" && noHead["method"] as? String == "GET")
            let unexpected = try #require(byURL[target.url("/status/204")])
            #expect(unexpected["state"] as? String == "down" && unexpected["status"] as? String == "204 No Content (expected 200)")
            let plain = try #require(byURL[target.url("/ok")])
            #expect(plain["method"] as? String == "HEAD" && plain["name"] is NSNull && plain["cert_expires_at"] is NSNull)
        }
    }

    @Test func sighupReloadsKeepingStateAndRejectsABadConfig() async throws {
        try await FakeTarget.with { target in
            func config(_ paths: [String]) -> String {
                "interval: 50ms\nerror-backoff: 0s\nurls:\n" + paths.map { "  - \(target.url($0))\n" }.joined()
            }
            let file = try TemporaryFile(config(["/ok", "/status/500"]))
            let process = try URLPollProcess.start([
                "-c", file.path, "--format", "json", "--status-interval", "200ms", "--log-level", "debug",
            ])
            try await process.waitForLog { $0.contains("on SIGHUP") }
            try await process.waitForOutput { Self.failures(of: target.url("/status/500"), in: $0) >= 3 }
            let failuresBefore = Self.failures(of: target.url("/status/500"), in: process.stdout)

            try config(["/status/500", "/body"]).save(toFile: file.path)
            process.signal(SIGHUP)
            try await process.waitForLog { $0.contains("reloaded \(file.path): 1 kept, 1 added, 1 removed") }
            try await process.waitForOutput { Self.lastReportURLs($0) == [target.url("/body"), target.url("/status/500")] }
            // The kept URL's failure count goes on from where it was (its next poll may come after the
            // first report of the new list): its state survived the reload.
            try await process.waitForOutput { Self.failures(of: target.url("/status/500"), in: $0) > failuresBefore }

            try "urls:\n  - url: ftp://nowhere/\n".save(toFile: file.path)
            process.signal(SIGHUP)
            try await process.waitForLog { $0.contains("rejected") }
            #expect(
                process.stderr.contains(
                    "reload of \(file.path) rejected, still running the previous configuration: \(file.path):2:10: urls[0]: invalid URL \"ftp://nowhere/\""
                )
            )
            let reportsSoFar = process.stdout.split(separator: "\n").count
            try await process.waitForOutput { $0.split(separator: "\n").count > reportsSoFar + 1 }
            #expect(Self.lastReportURLs(process.stdout) == [target.url("/body"), target.url("/status/500")])

            process.signal(SIGTERM)
            let result = try await process.finish()
            #expect(result.status == 0)
        }
    }

    @Test func theConfigFileCanTurnOnTheWebServer() async throws {
        try await FakeTarget.with { target in
            let config = try TemporaryFile("listen: 127.0.0.1:0\nhistory: 5\nurls:\n  - url: \(target.url("/ok"))\n    name: Home\n")
            let process = try URLPollProcess.start(["-c", config.path, "--quiet"])
            try await process.waitForLog { $0.contains("serving the status page on http://127.0.0.1:") }
            process.signal(SIGTERM)
            #expect(try await process.finish().status == 0)
        }
    }

    /// The URLs of the last complete JSON report line.
    static func lastReportURLs(_ output: String) -> [String] {
        lastReport(output).compactMap { $0["url"] as? String }
    }

    /// `consecutive_failures` of `url` in the last complete JSON report line (0 if absent).
    static func failures(of url: String, in output: String) -> Int {
        lastReport(output).first { $0["url"] as? String == url }?["consecutive_failures"] as? Int ?? 0
    }

    static func lastReport(_ output: String) -> [[String: Any]] {
        guard output.hasSuffix("\n"), let line = output.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return [] }
        return object["urls"] as? [[String: Any]] ?? []
    }
}

/// The shipped example stays valid.
struct ExampleConfigTests {
    @Test func theExampleConfigIsValid() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/urlpoll.yml").path
        let result = try await URLPollProcess.run(["--check-config", "-c", example], environment: ["API_TOKEN": "t", "HOOK_SECRET": "s"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("configuration OK: 4 URLs"))
    }
}
