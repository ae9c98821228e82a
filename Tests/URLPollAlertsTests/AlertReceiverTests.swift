import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// The receivers that are not a plain webhook, against the real thing: a command (its environment,
/// standard input and timeout), a real Prometheus Alertmanager, and `urlpoll test-alert` through the
/// binary.
/// Serialized: each test runs a whole urlpoll (64 pollers) and servers; together they would load a
/// 2-core machine enough to disturb the timing-sensitive tests of other suites.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AlertReceiverTests {
    static let toolsRequired = ProcessInfo.processInfo.environment["URLPOLL_REQUIRE_TOOLS"] == "1"

    static func yaml(_ target: SwitchTarget, urls: [String], receiver: String) -> String {
        """
        interval: 300ms
        recheck-interval: 50ms
        error-backoff: 1s
        instance: test-instance
        alerts:
          - name: r
        \(receiver.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
        urls:
        \(urls.map { "  - url: \(target.url($0))\n    name: \($0)-name" }.joined(separator: "\n"))

        """
    }

    @Test func aCommandGetsTheEventInItsEnvironmentAndOnStandardInput() async throws {
        let directory = try TemporaryDirectory()
        let script = directory.file("notify.sh")
        try "#!/bin/sh\nenv | grep '^URLPOLL_' | sort > \"$1/env-$URLPOLL_EVENT\"\ncat > \"$1/stdin-$URLPOLL_EVENT\"\n"
            .save(toFile: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        try await SwitchTarget.with(down: ["a"]) { target in
            let receiver = "command: [\(script), \(directory.path)]"
            _ = try await AlertingRun.run(Self.yaml(target, urls: ["a"], receiver: receiver)) { _ in
                try await Eventually.wait("the down command") { FileManager.default.fileExists(atPath: directory.file("stdin-down")) }
                target.setDown("a", false)
                try await Eventually.wait("the recovered command") { FileManager.default.fileExists(atPath: directory.file("stdin-recovered")) }
            }
        }
        let environment = try String(contentsOfFile: directory.file("env-down"), encoding: .utf8)
        #expect(environment.contains("URLPOLL_EVENT=down\n") && environment.contains("URLPOLL_NAME=a-name\n"))
        #expect(environment.contains("URLPOLL_FAILURES=3\n") && environment.contains("URLPOLL_CODE=503\n"))
        #expect(environment.contains("URLPOLL_INSTANCE=test-instance\n") && environment.contains("URLPOLL_RECEIVER=r\n"))
        #expect(environment.contains("URLPOLL_IDEMPOTENCY_KEY=down-"))
        let stdin = try Data(contentsOf: URL(fileURLWithPath: directory.file("stdin-recovered")))
        let payload = try #require(try JSONSerialization.jsonObject(with: stdin) as? [String: Any])
        #expect(payload["event"] as? String == "recovered" && payload["version"] as? Int == 1 && payload["name"] as? String == "a-name")
    }

    /// A command that outlives its timeout is killed (and the delivery counts as failed).
    @Test func aHangingCommandIsKilledAtItsTimeout() async throws {
        let directory = try TemporaryDirectory()
        let script = directory.file("hang.sh")
        try "#!/bin/sh\necho $$ > \"$1/pid\"\nexec sleep 60\n".save(toFile: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        try await SwitchTarget.with(down: ["a"]) { target in
            let receiver = "command: [\(script), \(directory.path)]\ntimeout: 300ms\nattempts: 1"
            let report = try await AlertingRun.run(Self.yaml(target, urls: ["a"], receiver: receiver), listen: true) { port in
                // The shell creates the file before it writes the pid: wait for the whole line.
                try await Eventually.wait("the command to start") {
                    (try? String(contentsOfFile: directory.file("pid"), encoding: .utf8))?.hasSuffix("\n") == true
                }
                let text = try String(contentsOfFile: directory.file("pid"), encoding: .utf8)
                let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
                try await Eventually.wait("the command to be killed", timeout: .seconds(10)) { kill(pid, 0) != 0 }
                let metrics = "http://127.0.0.1:\(try #require(port))/metrics"
                try await Eventually.wait("the failed delivery in /metrics") {
                    try await HTTPGet.text(metrics).contains(#"urlpoll_alert_deliveries_total{receiver="r",outcome="failed"} 1"#)
                }
            }
            #expect(report.alerting?.queued == 0)
        }
    }

    /// The real Alertmanager: the alert shows up in its `/api/v2/alerts` with urlpoll's labels, and
    /// disappears (resolves) when the URL recovers.
    @Test(.enabled(if: AlertmanagerProcess.executable != nil || toolsRequired, "needs prometheus-alertmanager"))
    func aRealAlertmanagerFiresAndResolves() async throws {
        try await AlertmanagerProcess.with { alertmanager in
            try await SwitchTarget.with(down: ["a"]) { target in
                _ = try await AlertingRun.run(Self.yaml(target, urls: ["a"], receiver: "alertmanager: \(alertmanager)")) { _ in
                    let alerts = "\(alertmanager)/api/v2/alerts"
                    try await Eventually.wait("the alert in Alertmanager") { try await HTTPGet.text(alerts).contains(target.url("a")) }
                    let text = try await HTTPGet.text(alerts)
                    let listed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
                    let labels = try #require(listed.only?["labels"] as? [String: String])
                    #expect(labels == ["alertname": "URLDown", "url": target.url("a"), "name": "a-name", "instance": "test-instance"])
                    #expect((listed.only?["endsAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) }.map { $0 > Date() } == true)
                    target.setDown("a", false)
                    try await Eventually.wait("the alert to resolve") { try await !HTTPGet.text(alerts).contains(target.url("a")) }
                }
            }
        }
    }

    @Test func testAlertSendsThroughTheBinaryAndSaysWhatHappened() async throws {
        try await WebhookSink.with { sink in
            let config = try TemporaryFile(
                """
                alerts:
                  - name: ops
                    webhook: { url: "\(sink.url("/hook/t0ken-path"))", secret: "${HOOK_SECRET}" }
                  - name: chat
                    template: { preset: discord, url: "\(sink.url("/discord/s3cret-path"))" }
                urls: [http://127.0.0.1:9/]

                """
            )
            let environment = ["HOOK_SECRET": "hmac-s3cret"]
            let all = try await URLPollProcess.run(["test-alert", "-c", config.path], environment: environment)
            #expect(all.status == 0, "\(all.stderr)")
            #expect(all.stdout.contains("ops (webhook to http://127.0.0.1:\(sink.port), signed): delivered"))
            #expect(all.stdout.contains("chat (discord (template) to http://127.0.0.1:\(sink.port)): delivered"))
            #expect(sink.log.all.count == 2)
            #expect(sink.log.all.first?.json["event"] as? String == "test")

            sink.answer([.status(503)])
            let one = try await URLPollProcess.run(["test-alert", "ops", "-c", config.path], environment: environment)
            #expect(one.status == 1)
            #expect(one.stdout.contains("ops (webhook to http://127.0.0.1:\(sink.port), signed): FAILED: http://127.0.0.1:\(sink.port) answered 503"))

            let unknown = try await URLPollProcess.run(["test-alert", "opz", "-c", config.path], environment: environment)
            #expect(unknown.status == 64 && unknown.stderr.contains("no receiver named \"opz\" (configured: ops, chat)"))
            for output in [all.stdout, all.stderr, one.stdout, one.stderr] {
                #expect(!output.contains("t0ken") && !output.contains("s3cret"), "a secret leaked: \(output)")
            }
        }
    }
}
