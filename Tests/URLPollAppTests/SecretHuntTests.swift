import Foundation
import Testing
import URLPollAlerts

@testable import URLPollCore
@testable import URLPollTestSupport

/// The real binary, configured with one secret of every kind (each a distinct random string), run at
/// `--log-level trace` through start, polls, a failing URL, alerts delivered to every kind of receiver,
/// a reload, the web routes, `--check-config`, `test-alert`, `history` and `incidents`: every byte it
/// writes and serves, and every alert payload, is searched for every secret, as written, in base64 and
/// URL-encoded. A secret may reach only the place it is for (its header at its origin, a receiver's
/// own URL and credentials, the routing key in PagerDuty's body, the command's environment), and the
/// test checks that it does get there.
@Suite(.serialized, .timeLimit(.minutes(8)))
struct SecretHuntTests {
    /// The secrets, by what they are.
    struct Secrets {
        var values: [String: String] = [:]

        init() {
            for name in [
                "header-env", "sensitive-header", "basic-password", "bearer-token", "userinfo-password", "query-token",
                "custom-query", "failing-query", "connectivity-token", "webhook-path", "webhook-query", "webhook-hmac",
                "webhook-header", "template-url", "routing-key", "alertmanager-password", "command-env", "database-password",
            ] {
                // Letters and digits only: the same in a URL, so the URL-encoded search is the base64 one's twin.
                values[name] = "hunt" + String((0..<20).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
            }
        }

        subscript(_ name: String) -> String { values[name]! }

        /// The forms a leak could take: as written, in base64 (alone, and as the basic credentials that
        /// carry it), and percent-encoded.
        func forms(of name: String) -> [String] {
            let value = self[name]
            var forms = [value, Data(value.utf8).base64EncodedString(), value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value]
            if name == "basic-password" { forms.append(Data("mon:\(value)".utf8).base64EncodedString()) }
            if name == "userinfo-password" { forms.append(Data("monitor:\(value)".utf8).base64EncodedString()) }
            if name == "alertmanager-password" { forms.append(Data("am:\(value)".utf8).base64EncodedString()) }
            return forms
        }

        /// The names of the secrets found in `text`, except `allowed`.
        func found(in text: String, except allowed: Set<String> = []) -> [String] {
            values.keys.sorted().filter { !allowed.contains($0) && forms(of: $0).contains { text.contains($0) } }
        }
    }

    enum Store: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    @Test(arguments: [("nio", Store.sqlite), ("async-http-client", .sqlite), ("nio", .postgres), ("async-http-client", .postgres)])
    func noSecretReachesALogAReportThePageTheAPIMetricsOrAPayload(client: String, store: Store) async throws {
        try await ExclusiveTests.run {
            try await hunt(client: client, store: store)
        }
    }

    private func hunt(client: String, store: Store) async throws {
        let secrets = Secrets()
        let directory = try TemporaryDirectory()
        let database: String
        switch store {
        case .sqlite:
            database = directory.file("hunt.sqlite")
        case .postgres:
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let role = "hunter_\(UUID().uuidString.prefix(8).lowercased())"
            try await cluster.addPasswordRole(role, password: secrets["database-password"], owning: location.database)
            database = "postgres://\(role):\(secrets["database-password"])@127.0.0.1:\(cluster.port)/\(location.database)?sslmode=disable"
        }
        try await RecordingTarget.with { target in
            try await FakeTarget.with { failing in
                try await WebhookSink.with { sink in
                    try await run(
                        secrets: secrets,
                        client: client,
                        database: database,
                        directory: directory,
                        target: target,
                        failing: failing,
                        sink: sink
                    )
                }
            }
        }
    }

    private func config(
        _ secrets: Secrets,
        directory: TemporaryDirectory,
        target: RecordingTarget,
        failing: FakeTarget,
        sink: WebhookSink,
        extra: String = ""
    )
        throws -> String
    {
        let tokenFile = directory.file("token")
        try secrets["bearer-token"].save(toFile: tokenFile)
        let commandOutput = directory.file("command-env")
        return """
            listen: 127.0.0.1:0
            interval: 200ms
            error-backoff: 0s
            connectivity-check: "\(target.url("/connectivity?token=\(secrets["connectivity-token"])"))"
            defaults:
              sensitive-query: [session]
            alerts:
              - name: hook
                webhook:
                  url: "\(sink.url("/hook/\(secrets["webhook-path"])?token=\(secrets["webhook-query"])"))"
                  secret: "\(secrets["webhook-hmac"])"
                  headers: { X-Hook-Key: "\(secrets["webhook-header"])" }
                failure-threshold: 1
              - name: pd
                template: { preset: pagerduty, url: "\(sink.url("/pd?key=\(secrets["template-url"])"))", routing-key: "\(secrets["routing-key"])" }
                failure-threshold: 1
              - name: am
                alertmanager: { url: "http://am:\(secrets["alertmanager-password"])@127.0.0.1:\(sink.port)/am" }
                failure-threshold: 1
              - name: cmd
                command: ["/bin/sh", "-c", "env >> \(commandOutput)"]
                env: { HUNT_ENV: "\(secrets["command-env"])" }
                failure-threshold: 1
            urls:
              - url: \(target.url("/header"))
                headers: { X-Api-Key: "${HUNT_HEADER}" }
              - url: \(target.url("/sensitive"))
                headers: { X-Team-Token: "\(secrets["sensitive-header"])" }
                sensitive-headers: [X-Team-Token]
              - url: \(target.url("/basic"))
                basic-auth: { username: mon, password: "\(secrets["basic-password"])" }
              - url: \(target.url("/bearer"))
                bearer-token-file: \(tokenFile)
              - "http://monitor:\(secrets["userinfo-password"])@127.0.0.1:\(target.port)/userinfo"
              - "\(target.url("/query?token=\(secrets["query-token"])&page=1"))"
              - "\(target.url("/custom?session=\(secrets["custom-query"])"))"
              - "\(failing.url("/status/503?api_key=\(secrets["failing-query"])"))"
            \(extra)
            """
    }

    private func run(
        secrets: Secrets,
        client: String,
        database: String,
        directory: TemporaryDirectory,
        target: RecordingTarget,
        failing: FakeTarget,
        sink: WebhookSink
    ) async throws {
        let configFile = directory.file("urlpoll.yml")
        try config(secrets, directory: directory, target: target, failing: failing, sink: sink)
            .save(toFile: configFile)
        let environment = ["HUNT_HEADER": secrets["header-env"]]
        var outputs: [(what: String, text: String)] = []

        let check = try await URLPollProcess.run(
            ["--check-config", "-c", configFile, "--database", database, "--log-level", "trace"],
            environment: environment
        )
        #expect(check.status == 0, "\(check.stderr)")
        outputs += [("--check-config stdout", check.stdout), ("--check-config stderr", check.stderr)]

        let process = try URLPollProcess.start(
            [
                "-c", configFile, "--log-level", "trace", "--format", "json", "--status-interval", "500ms", "--http-client", client,
                "--database", database,
            ],
            environment: environment,
            directory: directory
        )
        try await process.waitForLog { $0.contains("serving the status page on http://127.0.0.1:") }
        let line = try #require(process.stderr.split(separator: "\n").first { $0.contains("serving the status page on ") })
        let web = "http://127.0.0.1:" + String(line.split(separator: ":").last!.prefix { $0.isNumber })

        // The failing URL is announced to every receiver.
        try await sink.wait { deliveries in ["/hook/", "/pd", "/am/"].allSatisfy { prefix in deliveries.contains { $0.path.hasPrefix(prefix) } } }
        try await Eventually.wait("the command receiver's run") { FileManager.default.fileExists(atPath: directory.file("command-env")) }
        try await Eventually.wait("every URL polled") {
            let status = try JSONSerialization.jsonObject(with: Data(try await HTTPGet.text(web + "/api/status").utf8)) as? [String: Any]
            return (status?["pending"] as? Int) == 0
        }

        let status = try await HTTPGet.text(web + "/api/status")
        outputs.append(("/api/status", status))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])
        let ids = try #require(object["urls"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(ids.count == 8)
        for path in ["/", "/metrics", "/api/instances"] + ids.flatMap({ ["/urls/\($0)", "/api/urls/\($0)"] }) {
            outputs.append((path, try await HTTPGet.text(web + path)))
        }

        // A reload that adds a URL with a secret.
        try config(
            secrets,
            directory: directory,
            target: target,
            failing: failing,
            sink: sink,
            extra: "  - \"\(target.url("/added?access_token=\(secrets["query-token"])"))\""
        ).save(toFile: configFile)
        process.signal(SIGHUP)
        try await process.waitForLog { $0.contains("reloaded \(configFile): 8 kept, 1 added, 0 removed") }
        try await Eventually.wait("the added URL polled") { target.log.requests.contains { $0.path.hasPrefix("/added") } }
        outputs.append(("/ after the reload", try await HTTPGet.text(web + "/")))

        process.signal(SIGTERM)
        let result = try await process.finish()
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        outputs += [("run stdout", result.stdout), ("run stderr", result.stderr)]
        #expect(result.stderr.contains(" trace ") && result.stderr.contains("sl-services"), "the run logged at trace level")

        let testAlert = try await URLPollProcess.run(["test-alert", "-c", configFile], environment: environment)
        #expect(testAlert.status == 0, "\(testAlert.stdout)\(testAlert.stderr)")
        outputs += [("test-alert stdout", testAlert.stdout), ("test-alert stderr", testAlert.stderr)]

        let failingURL = failing.url("/status/503?api_key=\(secrets["failing-query"])")
        for format in ["text", "json", "csv"] {
            let history = try await URLPollProcess.run(["history", failingURL, "--database", database, "--format", format])
            #expect(history.status == 0, "\(history.stderr)")
            #expect(history.stdout.contains("503"), "history \(format) lists the failing URL's results: \(history.stdout.prefix(300))")
            let incidents = try await URLPollProcess.run(["incidents", "--database", database, "--format", format])
            #expect(incidents.status == 0 && incidents.stdout.contains("api_key=<redacted>"), "\(incidents.stdout)\(incidents.stderr)")
            outputs += [
                ("history \(format)", history.stdout + history.stderr), ("incidents \(format)", incidents.stdout + incidents.stderr),
            ]
        }

        for (what, text) in outputs {
            let found = secrets.found(in: text)
            #expect(found.isEmpty, "\(client), \(database.hasPrefix("postgres") ? "PostgreSQL" : "SQLite"): \(what) shows \(found)")
        }

        // The payloads: a receiver gets its own URL and credentials, and nothing else secret.
        let allowed: [String: Set<String>] = [
            "/hook/": ["webhook-path", "webhook-query", "webhook-header"],
            "/pd": ["template-url", "routing-key"],
            "/am/": ["alertmanager-password"],
        ]
        for delivery in sink.log.all {
            let mine = allowed.first { delivery.path.hasPrefix($0.key) }?.value ?? []
            let seen =
                delivery.path + "?" + (delivery.query ?? "") + "\n" + delivery.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n"
                + delivery.text
            #expect(secrets.found(in: seen, except: mine).isEmpty, "\(delivery.path) got \(secrets.found(in: seen, except: mine))")
        }
        let hook = try #require(sink.log.all.first { $0.path.hasPrefix("/hook/") && $0.json["event"] as? String == "down" })
        #expect(hook.path == "/hook/\(secrets["webhook-path"])" && hook.query == "token=\(secrets["webhook-query"])")
        #expect(hook.headers.first { $0.key.lowercased() == "x-hook-key" }?.value == secrets["webhook-header"])
        #expect(hook.json["url"] as? String == failing.url("/status/503?api_key=<redacted>"))
        let signature = hook.headers.first { $0.key.lowercased() == "x-urlpoll-signature-256" }?.value
        #expect(signature == WebhookSignature.sign(hook.body, secret: secrets["webhook-hmac"]))
        let pagerDuty = try #require(sink.log.all.first { $0.path.hasPrefix("/pd") })
        #expect(pagerDuty.text.contains(secrets["routing-key"]))
        let alertmanager = try #require(sink.log.all.first { $0.path.hasPrefix("/am/") })
        #expect(alertmanager.path == "/am/api/v2/alerts")
        #expect(
            alertmanager.headers.first { $0.key.lowercased() == "authorization" }?.value
                == "Basic " + Data("am:\(secrets["alertmanager-password"])".utf8).base64EncodedString()
        )
        let commandEnvironment = try String(contentsOfFile: directory.file("command-env"), encoding: .utf8)
        #expect(commandEnvironment.contains("HUNT_ENV=\(secrets["command-env"])"))
        #expect(commandEnvironment.contains("URLPOLL_URL=\(failing.url("/status/503?api_key=<redacted>"))"))

        // The origins got their credentials.
        func seen(_ path: String) -> RecordingTarget.Seen? { target.log.requests.first { $0.path.hasPrefix(path) } }
        #expect(seen("/header")?.header("X-Api-Key") == secrets["header-env"])
        #expect(seen("/sensitive")?.header("X-Team-Token") == secrets["sensitive-header"])
        #expect(seen("/basic")?.header("Authorization") == "Basic " + Data("mon:\(secrets["basic-password"])".utf8).base64EncodedString())
        #expect(seen("/bearer")?.header("Authorization") == "Bearer \(secrets["bearer-token"])")
        #expect(seen("/userinfo")?.header("Authorization") == "Basic " + Data("monitor:\(secrets["userinfo-password"])".utf8).base64EncodedString())
        #expect(seen("/query")?.path == "/query?token=\(secrets["query-token"])&page=1")
        #expect(seen("/connectivity")?.path == "/connectivity?token=\(secrets["connectivity-token"])")
    }
}
