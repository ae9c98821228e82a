import Foundation
import Logging
import Testing

@testable import URLPollApp
@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollStorage
@testable import URLPollTestSupport

/// Requests with bodies and credentials, as the server received them: POST/PUT with `body` or
/// `body-file` and `content-type`, `basic-auth`, `bearer-token-file`, a 303 turning a POST into a GET,
/// the methods in the history, and every mistake in the config.
/// Serialized: each test runs whole urlpoll runs; at once they would load a 2-core machine enough to disturb
/// timing-sensitive suites.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct RequestBodyTests {
    /// Polls each URL entry of `entries` (YAML, indented for `urls:`) once and returns the reports' states.
    static func pollOnce(_ entries: String, in directory: TemporaryDirectory, client: HTTPClientChoice = .nio) async throws -> [String] {
        let path = directory.file("urlpoll-\(UUID().uuidString).yml")
        try "urls:\n\(entries)".save(toFile: path)
        var flags = Settings.Overrides()
        flags.once = true
        flags.quiet = true
        flags.database = Settings.Database.none
        let configuration = try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: flags), environment: ["PW": "pa:ss word"])
        let outcome = try await URLPollApplication(
            configuration: configuration,
            options: .init(client: client, shutdownSignals: []),
            logger: Logger.silent
        ).run()
        return outcome.report.urls.map { "\($0.health.rawValue) \($0.method?.rawValue ?? "-") \($0.status)" }
    }

    @Test(arguments: HTTPClientChoice.allCases)
    func aGraphQLPostArrivesAsWritten(client: HTTPClientChoice) async throws {
        let directory = try TemporaryDirectory()
        try "s3cret-t0ken\n".save(toFile: directory.file("token"))
        try #"{"query":"{ health }"}"#.save(toFile: directory.file("query.json"))
        try await RecordingTarget.with { target in
            let states = try await Self.pollOnce(
                """
                  - url: \(target.url("/graphql"))
                    body: '{"query":"{ status }"}'
                    content-type: application/json
                    basic-auth: { username: monitor, password: "${PW}" }
                  - url: \(target.url("/put"))
                    method: PUT
                    body-file: query.json
                    content-type: application/json
                    bearer-token-file: token
                  - url: \(target.url("/options"))
                    method: OPTIONS

                """,
                in: directory,
                client: client
            )
            #expect(states.sorted() == ["up OPTIONS 200 OK", "up POST 200 OK", "up PUT 200 OK"])
            let seen = Dictionary(target.log.requests.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            let post = try #require(seen["/graphql"])
            #expect(post.method == "POST" && String(decoding: post.body, as: UTF8.self) == #"{"query":"{ status }"}"#)
            #expect(post.header("content-type") == "application/json" && post.header("content-length") == "22")
            #expect(post.header("authorization") == "Basic " + Data("monitor:pa:ss word".utf8).base64EncodedString())
            let put = try #require(seen["/put"])
            #expect(put.method == "PUT" && String(decoding: put.body, as: UTF8.self) == #"{"query":"{ health }"}"#)
            #expect(put.header("authorization") == "Bearer s3cret-t0ken")
            #expect(seen["/options"]?.method == "OPTIONS" && seen["/options"]?.body.isEmpty == true)
        }
    }

    /// 303 See Other: the answer is fetched with GET, without the body; 307 repeats the POST.
    @Test(arguments: HTTPClientChoice.allCases)
    func a303TurnsThePostIntoAGetAndA307KeepsIt(client: HTTPClientChoice) async throws {
        let directory = try TemporaryDirectory()
        try await RecordingTarget.with(redirects: ["/see-other": "/result", "/temporary": "/again"]) { target in
            target.log.redirectCodes.withLock { $0 = ["/see-other": 303, "/temporary": 307] }
            _ = try await Self.pollOnce(
                """
                  - url: \(target.url("/see-other"))
                    body: x=1
                  - url: \(target.url("/temporary"))
                    body: y=2

                """,
                in: directory,
                client: client
            )
            let seen = Dictionary(target.log.requests.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(seen["/result"]?.method == "GET" && seen["/result"]?.body.isEmpty == true)
            #expect(seen["/again"]?.method == "POST" && seen["/again"].map { String(decoding: $0.body, as: UTF8.self) } == "y=2")
        }
    }

    @Test func everyMethodSurvivesTheHistory() {
        for method in CheckMethod.allCases {
            for (health, code) in [(Health.up, Optional(200)), (.down, 503), (.down, nil)] {
                let outcome = ResultEncoding.outcome(health: health, method: method, code: code)
                let decoded = ResultEncoding.decode(outcome)
                #expect(decoded.health == health && decoded.method == method && decoded.code == code)
            }
        }
        // Rows written before the extended methods decode as they always did.
        #expect(ResultEncoding.decode(200 * 4 + 1 + 2) == (health: .up, method: .get, code: 200))
    }

    @Test func requestMistakesAreOneMessageWithTheirPlace() throws {
        let directory = try TemporaryDirectory()
        try "".save(toFile: directory.file("empty-token"))
        let cases: [(String, String)] = [
            ("    method: GET\n    body: x\n", "urls[0].method: a request body needs POST, PUT, PATCH or OPTIONS (got GET)"),
            ("    body: x\n    body-file: b.json\n", "urls[0].body-file: give body or body-file, not both"),
            ("    body-file: missing.json\n", "urls[0].body-file: \(directory.file("missing.json")): no such file"),
            (
                "    bearer-token-file: empty-token\n",
                "urls[0].bearer-token-file: \(directory.file("empty-token")) holds no token on one line (value not shown)"
            ),
            ("    basic-auth: { username: a }\n", "urls[0].basic-auth: needs username and password"),
            ("    basic-auth: { username: a, password: b }\n    bearer-token-file: empty-token\n", "give basic-auth or bearer-token-file, not both"),
            ("    headers: { Authorization: x }\n    basic-auth: { username: a, password: b }\n", "an Authorization header and basic-auth clash"),
            ("    method: DELETE\n", "\"DELETE\" is not a method urlpoll polls with (HEAD, GET, POST, PUT, PATCH or OPTIONS)"),
        ]
        for (fields, expected) in cases {
            let path = directory.file("bad-\(UUID().uuidString).yml")
            try "urls:\n  - url: https://e.example/\n\(fields)".save(toFile: path)
            #expect {
                _ = try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: .init()), environment: [:])
            } throws: { error in
                let message = (error as? InputError)?.message ?? ""
                return message.contains(expected) && message.hasPrefix(path + ":")
            }
        }
    }

    @Test func credentialsNeverShowInTheListing() throws {
        let directory = try TemporaryDirectory()
        try "s3cret-t0ken\n".save(toFile: directory.file("token"))
        let path = directory.file("urlpoll.yml")
        try
            "urls:\n  - url: https://e.example/\n    basic-auth: { username: mon, password: hunter2 }\n  - url: https://f.example/\n    bearer-token-file: token\n    body: '{}'\n"
            .save(toFile: path)
        let listing = ConfigDescription.render(
            try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: .init()), environment: [:])
        )
        #expect(listing.contains("header Authorization: <redacted>") && listing.contains("POST") && listing.contains("body of 2B"))
        #expect(!listing.contains("hunter2") && !listing.contains("s3cret") && !listing.contains(Data("mon:hunter2".utf8).base64EncodedString()))
    }

    /// `json:` checks judge a live JSON body by its values.
    @Test func aLiveJSONHealthEndpointIsJudgedByItsValues() async throws {
        try await FakeTarget.with { target in
            let directory = try TemporaryDirectory()
            let states = try await Self.pollOnce(
                """
                  - url: \(target.url("/body"))
                    json: {path: $.status, equals: ok}
                  - url: \(target.url("/body?v"))
                    json: [{path: $.version, equals: "2.0.0"}]

                """,
                in: directory
            )
            #expect(states.sorted() == [#"down GET 200 OK, but $.version is "1.2.3" (expected "2.0.0")"#, "up GET 200 OK"])
        }
    }
}
