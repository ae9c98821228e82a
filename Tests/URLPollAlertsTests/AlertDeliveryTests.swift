import Foundation
import Testing

@testable import URLPollAlerts
@testable import URLPollCore
@testable import URLPollTestSupport

/// Alerts end to end, in process: a real run polls loopback targets and announces to a loopback webhook
/// receiver. Intervals are short so the tests are quick; what they check is counted, not timed (except
/// the hanging receiver, whose point is the cadence of other polls).
/// Serialized: each test runs a whole urlpoll (64 pollers) and servers; together they would load a
/// 2-core machine enough to disturb the timing-sensitive tests of other suites.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AlertDeliveryTests {
    /// - Parameter receiver: more settings of the `ops` receiver, one per line.
    static func config(target: SwitchTarget, sink: WebhookSink, urls: [String], receiver: [String] = []) -> String {
        """
        interval: 300ms
        recheck-interval: 50ms
        error-backoff: 1s
        instance: test-instance
        alerts:
          - name: ops
            webhook: { url: "\(sink.url("/hook/t0ken"))", secret: "${HOOK_SECRET}" }
        \(receiver.map { "    \($0)\n" }.joined())urls:
        \(urls.map { "  - \(target.url($0))" }.joined(separator: "\n"))

        """
    }

    static let environment = ["HOOK_SECRET": "s3cret"]

    /// N−1 failures send nothing, the Nth one `down`, two good polls `recovered`; the body is signed.
    @Test func thresholdsRecoveryAndTheSignature() async throws {
        try await SwitchTarget.with(down: ["a"]) { target in
            try await WebhookSink.with { sink in
                _ = try await AlertingRun.run(Self.config(target: target, sink: sink, urls: ["a", "b"]), environment: Self.environment) { _ in
                    try await sink.wait { $0.count == 1 }
                    // The down went out after the third failed poll, not before: 3 polls so far.
                    #expect(target.polls("a").count == 3)
                    target.setDown("a", false)
                    try await sink.wait { $0.count == 2 }
                }
                let deliveries = sink.log.all
                #expect(deliveries.map { $0.json["event"] as? String } == ["down", "recovered"])
                let down = try #require(deliveries.first)
                #expect(down.path == "/hook/t0ken" && down.json["failures"] as? Int == 3 && down.json["url"] as? String == target.url("a"))
                #expect(down.json["instance"] as? String == "test-instance" && down.json["status"] as? String == "503 Service Unavailable")
                for delivery in deliveries {
                    let signature = try #require(delivery.headers["x-urlpoll-signature-256"])
                    #expect(WebhookSignature.verify(signature, body: delivery.body, secret: "s3cret"))
                    #expect(!WebhookSignature.verify(signature, body: delivery.body, secret: "wrong"))
                    #expect(delivery.headers["idempotency-key"] == delivery.json["idempotency_key"] as? String)
                }
                #expect(deliveries.allSatisfy { !$0.text.contains("s3cret") })
                #expect(!sink.log.all.contains { ($0.json["url"] as? String) == target.url("b") })
            }
        }
    }

    @Test func flappingSendsNothingAtTheDefaults() async throws {
        try await SwitchTarget.with { target in
            try await WebhookSink.with { sink in
                // Down on every other poll, as the server decides: never two failures in a row, however
                // fast the poller goes (a test task switching the state fell behind it under load).
                target.setAlternating("flap")
                _ = try await AlertingRun.run(Self.config(target: target, sink: sink, urls: ["flap"]), environment: Self.environment) { _ in
                    try await target.waitForPolls("flap", atLeast: 24)
                }
                #expect(target.polls("flap").count >= 24)
                #expect(sink.log.all.isEmpty)
            }
        }
    }

    /// 500, then 200: the receiver accepts the event exactly once, and both attempts carry one key.
    @Test func aFailedDeliveryIsRetriedWithTheSameKey() async throws {
        try await SwitchTarget.with(down: ["a"]) { target in
            try await WebhookSink.with { sink in
                sink.answer([.status(500)])
                _ = try await AlertingRun.run(Self.config(target: target, sink: sink, urls: ["a"]), environment: Self.environment) { _ in
                    try await sink.wait { $0.count == 2 }
                }
                let attempts = sink.log.all
                #expect(attempts.map(\.status) == [500, 200])
                #expect(sink.log.accepted.count == 1)
                #expect(Set(attempts.map { $0.headers["idempotency-key"] }).count == 1)
                #expect(attempts[0].json["sent_at"] != nil)
            }
        }
    }

    /// With one poller, a receiver that never answers must not slow the polls of other URLs.
    @Test func aHangingReceiverDoesNotDelayPolls() async throws {
        try await SwitchTarget.with(down: ["a"]) { target in
            try await WebhookSink.with { sink in
                sink.answer([.hang])
                let yaml = Self.config(target: target, sink: sink, urls: ["a", "b"]).replacingOccurrences(
                    of: "interval: 300ms",
                    with: "interval: 100ms"
                )
                _ = try await AlertingRun.run(yaml, pollers: 1, environment: Self.environment) { _ in
                    // The down is being delivered (and hangs) once a's third poll is done.
                    try await target.waitForPolls("a", atLeast: 3)
                    try await sink.waitForRequestsInProgress(1)
                    let during = try await target.pollCount("b", during: .seconds(2))
                    // About 20 at a 100 ms interval; a poll path blocked by the receiver would give 0.
                    #expect(during >= 8, "b was polled \(during) times in 2 s while the receiver hung")
                    #expect(sink.log.all.isEmpty, "the receiver is still hanging")
                }
            }
        }
    }

    /// The self-check: every URL refused (at least 3) means urlpoll's own network is suspect; `down`
    /// alerts are held, and the page, `/api/status` and `/metrics` say so.
    @Test func everyURLRefusedHoldsDownAlerts() async throws {
        try await WebhookSink.with { sink in
            let yaml = """
                interval: 200ms
                recheck-interval: 50ms
                error-backoff: 100ms
                alerts:
                  - name: ops
                    webhook: { url: "\(sink.url("/hook"))" }
                urls: ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b", "http://127.0.0.1:1/c"]

                """
            let report = try await AlertingRun.run(yaml, listen: true) { port in
                let port = try #require(port)
                let status = "http://127.0.0.1:\(port)/api/status"
                try await Eventually.wait("the self-check's suspicion") { try await HTTPGet.text(status).contains("\"suspected\":true") }
                #expect(try await HTTPGet.text(status).contains("\"self_check\":{\"suspected\":true"))
                #expect(try await HTTPGet.text("http://127.0.0.1:\(port)/").contains("urlpoll suspects its own network"))
                #expect(try await HTTPGet.text("http://127.0.0.1:\(port)/metrics").contains("urlpoll_self_check_suspected 1"))
                // Well past the threshold of three failures: still nothing sent.
                try await Eventually.wait("six failures of every URL") {
                    let report = try await HTTPGet.text(status)
                    return report.components(separatedBy: "\"consecutive_failures\":").dropFirst().allSatisfy {
                        (Int($0.prefix { $0.isNumber }) ?? 0) >= 6
                    }
                }
            }
            #expect(report.urls.allSatisfy { $0.consecutiveFailures >= 3 })
            #expect(report.alerting?.suspected == true && report.alerting?.held == 3)
            #expect(sink.log.all.isEmpty)
        }
    }

    /// With a `connectivity-check` URL, only its failure means "our network": a down URL that answers
    /// is held while the check fails.
    @Test func aFailingConnectivityCheckHoldsDownAlerts() async throws {
        try await SwitchTarget.with(down: ["a"]) { target in
            try await WebhookSink.with { sink in
                let yaml = Self.config(target: target, sink: sink, urls: ["a"]) + "connectivity-check: http://127.0.0.1:1/\n"
                let report = try await AlertingRun.run(yaml, environment: Self.environment) { _ in
                    try await target.waitForPolls("a", atLeast: 4)
                }
                #expect(report.alerting?.suspected == true && report.alerting?.held == 1)
                #expect(sink.log.all.isEmpty)
            }
        }
    }

    /// A restart while down: an undelivered `down` is sent by the next run (same key), an announced one
    /// is not announced again, and the `recovered` still comes.
    @Test func aRestartWhileDownForgetsNothingAndRepeatsNothing() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("history.sqlite")
        try await SwitchTarget.with(down: ["a"]) { target in
            try await WebhookSink.with { sink in
                let yaml = Self.config(target: target, sink: sink, urls: ["a"], receiver: ["attempts: 50"])
                // First run: the receiver refuses everything; the down stays undelivered.
                sink.answer(Array(repeating: .status(503), count: 100))
                _ = try await AlertingRun.run(yaml, database: database, environment: Self.environment) { _ in
                    try await sink.wait { $0.count >= 1 }
                }
                let refusedKey = try #require(sink.log.all.first?.headers["idempotency-key"])
                sink.log.script.withLock { $0 = [] }
                // Second run: the stored down is delivered; a second run of it never is.
                _ = try await AlertingRun.run(yaml, database: database, environment: Self.environment) { _ in
                    try await sink.wait { !$0.filter { $0.status == 200 }.isEmpty }
                }
                #expect(sink.log.accepted.map { $0.headers["idempotency-key"] } == [refusedKey])
                // Third run: still down for a while (no second down), then up: the recovered comes.
                _ = try await AlertingRun.run(yaml, database: database, environment: Self.environment) { _ in
                    try await target.waitForPolls("a", atLeast: target.polls("a").count + 3)
                    target.setDown("a", false)
                    try await sink.wait { $0.filter { $0.status == 200 }.count == 2 }
                }
                #expect(sink.log.accepted.map { $0.json["event"] as? String } == ["down", "recovered"])
            }
        }
    }
}
