import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// The small pure pieces of alerting: the self-check, retries, the quick recheck, patterns and routing.
struct AlertDecisionTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    func suspects(_ judge: inout ConnectivityJudge, at time: Date) -> Bool {
        judge.suspects(at: time)
    }

    @Test func theSelfCheckSuspectsWhenEveryURLFailsWithoutAnAnswer() {
        var judge = ConnectivityJudge()
        judge.observe(url: "a", at: Self.start, transportFailure: true)
        judge.observe(url: "b", at: Self.start + 1, transportFailure: true)
        #expect(!suspects(&judge, at: Self.start + 1), "two URLs are not enough")
        judge.observe(url: "c", at: Self.start + 2, transportFailure: true)
        #expect(suspects(&judge, at: Self.start + 2))
        // One answer, even a 500, clears it: that URL's network works.
        judge.observe(url: "d", at: Self.start + 3, transportFailure: false)
        #expect(!suspects(&judge, at: Self.start + 3))
        // Its answer ages out of the 20 s window (answers are counted per whole second); the failures
        // polled again stay.
        for (offset, url) in ["a", "b", "c"].enumerated() { judge.observe(url: url, at: Self.start + 21 + Double(offset), transportFailure: true) }
        #expect(!suspects(&judge, at: Self.start + 23.5), "the answer at 3 s is still in the window")
        #expect(suspects(&judge, at: Self.start + 24))
        // A URL's latest poll is what counts: "a" answered again, and its failure no longer counts.
        judge.observe(url: "a", at: Self.start + 25, transportFailure: false)
        #expect(!suspects(&judge, at: Self.start + 25))
        // Failures older than the window do not count either.
        #expect(!suspects(&judge, at: Self.start + 60))
    }

    @Test func theSelfCheckShareIsConfigurable() {
        var judge = ConnectivityJudge(rule: .init(minimumURLs: 3, share: 0.75, window: .seconds(60)))
        for index in 0..<8 { judge.observe(url: "u\(index)", at: Self.start, transportFailure: index < 6) }
        #expect(suspects(&judge, at: Self.start), "6 of 8")
        judge.observe(url: "u5", at: Self.start + 1, transportFailure: false)
        #expect(!suspects(&judge, at: Self.start + 1), "5 of 8")
    }

    @Test func aConnectivityCheckDecidesAlone() {
        var judge = ConnectivityJudge(rule: .init(usesConnectivityCheck: true))
        for index in 0..<10 { judge.observe(url: "u\(index)", at: Self.start, transportFailure: true) }
        #expect(!suspects(&judge, at: Self.start))
        judge.observeConnectivityCheck(failed: true)
        #expect(suspects(&judge, at: Self.start))
        judge.observeConnectivityCheck(failed: false)
        #expect(!suspects(&judge, at: Self.start))
    }

    @Test func onlyAnswerlessFailuresAreTransportFailures() {
        #expect(ConnectivityJudge.isTransportFailure(health: .down, code: nil))
        #expect(!ConnectivityJudge.isTransportFailure(health: .down, code: 500))
        #expect(!ConnectivityJudge.isTransportFailure(health: .up, code: nil))
        // Kinds other than HTTP say why: a wrong answer or a failed condition is an answer, a refusal is not.
        #expect(ConnectivityJudge.isTransportFailure(health: .down, code: nil, failure: .refused))
        #expect(!ConnectivityJudge.isTransportFailure(health: .down, code: nil, failure: .unexpectedAnswer))
        #expect(!ConnectivityJudge.isTransportFailure(health: .down, code: nil, failure: .condition))
        #expect(!ConnectivityJudge.isTransportFailure(health: .down, code: nil, failure: .tls))
    }

    @Test func retriesBackOffExponentiallyWithBoundedJitter() {
        let policy = RetryPolicy(attempts: 6, firstDelay: .seconds(1), maxDelay: .seconds(10))
        #expect(policy.delay(afterFailedAttempt: 1, jitter: 1) == .seconds(1))
        #expect(policy.delay(afterFailedAttempt: 1, jitter: 0) == .milliseconds(500))
        #expect(policy.delay(afterFailedAttempt: 2, jitter: 1) == .seconds(2))
        #expect(policy.delay(afterFailedAttempt: 4, jitter: 1) == .seconds(8))
        #expect(policy.delay(afterFailedAttempt: 5, jitter: 1) == .seconds(10))
        #expect(policy.delay(afterFailedAttempt: 5, jitter: 0.5) == .milliseconds(7500))
        #expect(policy.delay(afterFailedAttempt: 6, jitter: 1) == nil, "six attempts in all")
        #expect(RetryPolicy(attempts: 1).delay(afterFailedAttempt: 1, jitter: 0) == nil)
    }

    /// Confirm fast, then back off: the recheck until the threshold, the normal backoff from it on.
    @Test func anUnconfirmedOutageIsRecheckedQuickly() {
        let policy = SleepPolicy(interval: .seconds(60), errorBackoff: .seconds(10), maxBackoff: .seconds(600))
        let confirmation = Confirmation(failures: 3, recheck: .seconds(10))
        #expect(policy.sleep(afterConsecutiveFailures: 0, confirmation: confirmation) == .seconds(60))
        #expect(policy.sleep(afterConsecutiveFailures: 1, confirmation: confirmation) == .seconds(10))
        #expect(policy.sleep(afterConsecutiveFailures: 2, confirmation: confirmation) == .seconds(10))
        #expect(policy.sleep(afterConsecutiveFailures: 3, confirmation: confirmation) == .seconds(90))
        #expect(policy.sleep(afterConsecutiveFailures: 4, confirmation: confirmation) == .seconds(100))
        #expect(policy.sleep(afterConsecutiveFailures: 2, confirmation: nil) == .seconds(80))
        // Never later than the URL's own interval.
        let fast = SleepPolicy(interval: .seconds(5), errorBackoff: .seconds(10), maxBackoff: .seconds(600))
        #expect(fast.sleep(afterConsecutiveFailures: 1, confirmation: confirmation) == .seconds(5))
    }

    @Test func globPatternsMatchWholeNamesAndURLs() {
        #expect(GlobPattern("api-*").matches("api-users"))
        #expect(GlobPattern("api-*").matches("api-"))
        #expect(!GlobPattern("api-*").matches("my-api-users"))
        #expect(GlobPattern("*://*.example.org/*").matches("https://shop.example.org/health"))
        #expect(GlobPattern("db?").matches("db1") && !GlobPattern("db?").matches("db12"))
        #expect(GlobPattern("*a*a*a*a*b").matches(String(repeating: "a", count: 40)) == false)
        #expect(GlobPattern("").matches("") && !GlobPattern("").matches("x"))
    }

    @Test func routingCombinesReceiversAndURLSettings() {
        let ops = AlertReceiverSettings(name: "ops", kind: .command(path: "/bin/true", arguments: []), repeatInterval: .seconds(3600))
        let chat = AlertReceiverSettings(
            name: "chat",
            kind: .command(path: "/bin/true", arguments: []),
            failureThreshold: 5,
            urls: [GlobPattern("api-*")]
        )
        let routing = AlertRouting(receivers: [ops, chat])
        let plain = CheckOptions(name: "web")
        #expect(routing.rules(url: "https://example.org/", options: plain).map(\.receiver) == ["ops"])
        let api = CheckOptions(name: "api-users")
        #expect(routing.rules(url: "https://example.org/u", options: api).map(\.failureThreshold) == [3, 5])
        let chosen = CheckOptions(name: "web", alerting: URLAlerting(receivers: ["chat"], failureThreshold: 2))
        let rules = routing.rules(url: "https://example.org/", options: chosen)
        #expect(rules == [AlertRule(receiver: "chat", failureThreshold: 2)])
        #expect(routing.confirmationThreshold(options: plain) == 3)
        #expect(routing.confirmationThreshold(options: chosen) == 2)
        #expect(AlertRouting(receivers: []).confirmationThreshold(options: plain) == nil)
    }

    @Test func alertmanagerReceiversRepeatAtLeastEveryMinute() {
        let never = AlertReceiverSettings(name: "am", kind: .alertmanager(url: "http://127.0.0.1:9093", headers: []))
        #expect(never.repeatInterval == .seconds(60))
        let hourly = AlertReceiverSettings(name: "am", kind: .alertmanager(url: "http://127.0.0.1:9093", headers: []), repeatInterval: .seconds(3600))
        #expect(hourly.repeatInterval == .seconds(60))
    }

    @Test func summariesShowTheOriginOnly() {
        let hook = AlertReceiverSettings(
            name: "chat",
            kind: .template(
                url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET",
                headers: [],
                template: .preset("slack"),
                contentType: "application/json",
                variables: [:]
            )
        )
        #expect(hook.summary == "slack (template) to https://hooks.slack.com")
        #expect(AlertReceiverSettings.origin(of: "http://user:pw@127.0.0.1:8080/x?token=1") == "http://127.0.0.1:8080")
    }
}
