import Foundation
import Testing

@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// `alerts:` and its companions in the config file: every receiver kind, URL overrides, and bad input
/// (one message with file:line:column, never a secret).
struct AlertsConfigTests {
    static let environment = [
        "HOOK_SECRET": "hmac-s3cret", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/XSECRETX", "PD_KEY": "pd-r0uting",
    ]

    static let full = """
        interval: 60s
        recheck-interval: 5s
        instance: mon-1
        self-check: { minimum-urls: 5, share: 90%, window: 30s }
        alerts:
          - name: ops
            webhook: { url: "https://hooks.example/urlpoll", secret: "${HOOK_SECRET}", headers: { X-Team: core } }
            failure-threshold: 3
            repeat: 1h
          - name: chat
            template: { preset: slack, url: "${SLACK_WEBHOOK_URL}" }
            urls: ["api-*"]
            send-on-recovery: false
          - name: pager
            template: { preset: pagerduty, url: "https://events.pagerduty.com/v2/enqueue", routing-key: "${PD_KEY}" }
            failure-threshold: 5
          - name: am
            alertmanager: http://127.0.0.1:9093
          - name: script
            command: [/usr/local/bin/notify, --urgent]
            timeout: 3s
            attempts: 2
        defaults:
          success-threshold: 3
        urls:
          - https://example.org/
          - url: https://api.example.org/health
            name: api-health
            receivers: [chat, pager]
            failure-threshold: 2
            recheck-interval: 2s
        """

    func load(_ text: String, environment: [String: String] = environment) throws -> RunConfiguration {
        let file = try TemporaryFile(text)
        let sources = RunConfiguration.Sources(arguments: [], file: nil, config: file.path, flags: .init())
        return try RunConfiguration.load(sources, environment: environment)
    }

    func message(_ text: String, environment: [String: String] = environment) -> String {
        do {
            _ = try load(text, environment: environment)
            return ""
        } catch let error as InputError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func decodesEveryReceiverKindAndTheURLOverrides() throws {
        let configuration = try load(Self.full)
        let alerts = configuration.alerts
        #expect(alerts.instance == "mon-1")
        #expect(alerts.selfCheck == ConnectivityJudge.Rule(minimumURLs: 5, share: 0.9, window: .seconds(30)))
        let receivers = alerts.routing.receivers
        #expect(receivers.map(\.name) == ["ops", "chat", "pager", "am", "script"])
        #expect(
            receivers[0].kind
                == .webhook(
                    url: "https://hooks.example/urlpoll",
                    headers: [HeaderField(name: "X-Team", value: "core", isSensitive: true)],
                    secret: "hmac-s3cret"
                )
        )
        #expect(receivers[0].repeatInterval == .seconds(3600))
        #expect(receivers[1].urls == [GlobPattern("api-*")] && !receivers[1].sendOnRecovery)
        guard case .template(_, _, .preset("pagerduty"), "application/json", let variables) = receivers[2].kind else {
            Issue.record("pager is a pagerduty template")
            return
        }
        #expect(variables["routing-key"] == "pd-r0uting")
        #expect(receivers[3].kind == .alertmanager(url: "http://127.0.0.1:9093", headers: []))
        #expect(receivers[4].kind == .command(path: "/usr/local/bin/notify", arguments: ["--urgent"]))
        #expect(receivers[4].timeout == .seconds(3) && receivers[4].attempts == 2)

        let plain = configuration.targets.options[0]
        let api = configuration.targets.options[1]
        #expect(plain.confirmation == Confirmation(failures: 3, recheck: .seconds(5)))
        #expect(api.confirmation == Confirmation(failures: 2, recheck: .seconds(2)))
        #expect(api.alerting == URLAlerting(receivers: ["chat", "pager"], failureThreshold: 2, successThreshold: 3))
        #expect(alerts.routing.rules(url: configuration.targets.urls[0], options: plain).map(\.receiver) == ["ops", "pager", "am", "script"])
        #expect(alerts.routing.rules(url: configuration.targets.urls[1], options: api).map(\.successThreshold) == [3, 3])
    }

    @Test func withoutReceiversThereIsNoRecheck() throws {
        let configuration = try load("urls: [https://example.org/]\n")
        #expect(!configuration.alerts.isEnabled)
        #expect(configuration.targets.options[0].confirmation == nil)
    }

    @Test(arguments: [
        ("alerts: {name: x}\n", "urlpoll.yml:1:9: alerts: expected a list of receivers"),
        ("alerts:\n  - webhook: {url: 'https://h.example/'}\n", "alerts[0]: every receiver needs a name"),
        ("alerts:\n  - name: a\n", "alerts[0]: a receiver needs exactly one of webhook, template, alertmanager, command"),
        ("alerts:\n  - name: a\n    webhook: {url: 'https://h.example/'}\n    command: [/bin/true]\n", "(found webhook and command)"),
        ("alerts:\n  - name: a\n    webhok: {url: 'https://h.example/'}\n", "unknown key \"webhok\" in alerts[0] (did you mean \"webhook\"?)"),
        ("alerts:\n  - name: a\n    command: [/bin/true]\n  - name: a\n    command: [/bin/true]\n", "a second receiver named \"a\""),
        (
            "alerts:\n  - name: a\n    template: {preset: slak, url: 'https://h.example/'}\n",
            "no preset \"slak\" (there are slack, discord, teams, pagerduty, ntfy) (did you mean \"slack\"?)"
        ),
        ("alerts:\n  - name: a\n    template: {preset: pagerduty, url: 'https://h.example/'}\n", "the pagerduty preset needs routing-key"),
        ("alerts:\n  - name: a\n    template: {url: 'https://h.example/'}\n", "give either preset or body"),
        ("alerts:\n  - name: a\n    command: [/bin/true]\n    failure-threshold: 0\n", "alerts[0].failure-threshold: must be from 1 to 1000 (got 0)"),
        ("alerts:\n  - name: a\n    command: [/bin/true]\n    repeat: soon\n", "alerts[0].repeat:"),
        ("self-check: {share: 150%}\nurls: [https://e.example/]\n", "self-check.share: expected a share above 0 and at most 100%"),
        ("connectivity-check: not-a-url\nurls: [https://e.example/]\n", "connectivity-check: invalid URL"),
        (
            "alerts:\n  - name: ops\n    command: [/bin/true]\nurls:\n  - url: https://e.example/\n    receivers: [opz]\n",
            "urlpoll.yml:6:17: urls[0].receivers: no receiver named \"opz\" in alerts: (did you mean \"ops\"?)"
        ),
        (
            "alerts:\n  - name: a\n    command: [/bin/true]\n    env: [A]\n",
            "urlpoll.yml:4:10: alerts[0].env: expected a map of variable names to values"
        ),
        ("alerts:\n  - name: a\n    command: [/bin/true]\n    env: {1A: x}\n", "urlpoll.yml:4:11: alerts[0].env.1A: \"1A\" is not a variable name"),
        ("alerts:\n  - name: a\n    command: [/bin/true]\n    env: {A-B: x}\n", "alerts[0].env.A-B: \"A-B\" is not a variable name"),
        (
            "alerts:\n  - name: a\n    command: [/bin/true]\n    env: {URLPOLL_URL: x}\n",
            "alerts[0].env.URLPOLL_URL: URLPOLL_ variables are urlpoll's own"
        ),
        ("alerts:\n  - name: a\n    command: [/bin/true]\n    env: {A: [x]}\n", "alerts[0].env.A: expected a single value, found a list"),
        (
            "alerts:\n  - name: a\n    webhook: {url: 'https://h.example/'}\n    env: {A: x}\n",
            "urlpoll.yml:4:5: alerts[0].env: only a command receiver takes env"
        ),
        (
            "defaults:\n  sensitive-query: ['a=b']\nurls: [https://e.example/]\n",
            "urlpoll.yml:2:21: defaults.sensitive-query[0]: \"a=b\" is not a query parameter name"
        ),
        ("urls:\n  - url: https://e.example/\n    sensitive-query: ''\n", "urls[0].sensitive-query: \"\" is not a query parameter name"),
        ("urls:\n  - url: https://e.example/\n    sensitive-query: {a: b}\n", "urls[0].sensitive-query: expected a single value, found a map"),
    ])
    func badInputIsOneMessageWithItsPlace(yaml: String, expected: String) throws {
        let text = message(yaml + (yaml.contains("urls") ? "" : "urls: [https://e.example/]\n"))
        let normalized = text.replacingOccurrences(of: #"^[^:]*:"#, with: "urlpoll.yml:", options: .regularExpression)
        #expect(normalized.contains(expected), "\(text)")
        #expect(normalized.hasPrefix("urlpoll.yml:"), "\(text)")
    }

    /// `env:` of a command receiver: secrets, `${NAME}` expanded.
    @Test func aCommandReceiverTakesAnEnvironment() throws {
        let configuration = try load(
            "alerts:\n  - name: cmd\n    command: [/bin/true]\n    env: {TEAM: ops, TOKEN: \"${HOOK_TOKEN}\"}\nurls: [https://e.example/]\n",
            environment: ["HOOK_TOKEN": "t0k3n"]
        )
        guard case .command(_, _, let environment) = configuration.alerts.routing.receivers[0].kind else {
            Issue.record("not a command receiver")
            return
        }
        #expect(environment.mapValues(\.revealed) == ["TEAM": "ops", "TOKEN": "t0k3n"])
        #expect(!ConfigDescription.render(configuration).contains("t0k3n"))
    }

    /// A receiver URL's userinfo goes out as `Authorization: Basic`, unless `headers:` sets one.
    @Test func aReceiverURLsUserinfoBecomesAnAuthorizationHeader() throws {
        let configuration = try load(
            "alerts:\n  - name: am\n    alertmanager: 'http://u:p4ss@am.example:9093'\n  - name: hook\n    webhook: {url: 'https://u:p@h.example/x', headers: {Authorization: Bearer own}}\nurls: [https://e.example/]\n"
        )
        #expect(
            configuration.alerts.routing.receivers[0].kind
                == .alertmanager(url: "http://am.example:9093", headers: [HeaderField(name: "Authorization", value: "Basic dTpwNHNz")])
        )
        guard case .webhook(let url, let headers, _) = configuration.alerts.routing.receivers[1].kind else {
            Issue.record("not a webhook")
            return
        }
        #expect(url.revealed == "https://h.example/x" && headers.map(\.value.revealed) == ["Bearer own"])
    }

    /// A URL with a token, a secret and header values never show up in a message or in --check-config.
    @Test func secretsStayOutOfMessagesAndTheListing() throws {
        let badURL = message("alerts:\n  - name: a\n    webhook: {url: 'ftp://tok3n@h.example/p4th'}\nurls: [https://e.example/]\n")
        #expect(badURL.contains("expected an http or https URL with a host (value not shown)"))
        #expect(!badURL.contains("tok3n") && !badURL.contains("p4th"))

        let listing = ConfigDescription.render(try load(Self.full))
        #expect(listing.contains("ops: webhook to https://hooks.example, signed; down after 3, recovered after 2, repeat every 1h; every URL"))
        #expect(listing.contains("chat: slack (template) to https://hooks.slack.com; down after 3, no recovery message; URLs matching api-*"))
        #expect(listing.contains("self-check: 90% of at least 5 URLs failing without an answer within 30s"))
        for secret in ["hmac-s3cret", "XSECRETX", "pd-r0uting", "/urlpoll", "core"] {
            #expect(!listing.contains(secret), "\(secret) leaked")
        }
    }

    @Test func aReloadThatChangesReceiversNeedsARestart() throws {
        let before = try load(Self.full)
        let after = try load(Self.full.replacingOccurrences(of: "repeat: 1h", with: "repeat: 2h"))
        #expect(before.restartOnlyChanges(comparedTo: after) == ["alerts"])
    }
}
