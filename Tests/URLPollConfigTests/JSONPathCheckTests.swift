import Foundation
import Testing

@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// `json:` checks: the path subset, values compared as JSON writes them, the verdict's wording, the
/// config's mistakes, and one live poll of a JSON health endpoint.
struct JSONPathCheckTests {
    static let body = Array(
        #"{"status":"ok","version":"1.2.3","checks":[{"name":"db","ok":true,"ms":12}],"db-primary":{"lag":0.5},"none":null}"#.utf8
    )

    func failure(_ path: String, equals: String? = nil) throws -> String? {
        try JSONPathCheck(path: path, equals: equals).failure(in: #require(JSONValue.parse(Self.body)))
    }

    @Test func pathsFindValuesAndCompareThemAsJSONWritesThem() throws {
        #expect(try failure("$.status", equals: "ok") == nil)
        #expect(try failure("$.checks[0].ok", equals: "true") == nil)
        #expect(try failure("$.checks[0].ms", equals: "12") == nil)
        #expect(try failure("$['db-primary'].lag", equals: "0.5") == nil)
        #expect(try failure("$.none", equals: "null") == nil)
        #expect(try failure("$.checks[0]") == nil, "without equals the value must only exist")
        #expect(try failure("$.status", equals: "up") == #"$.status is "ok" (expected "up")"#)
        #expect(try failure("$.checks[1].ok") == "$.checks[1].ok is missing")
        #expect(try failure("$.status.deeper") == "$.status.deeper is missing")
    }

    @Test(arguments: ["status", "$.", "$.checks[*]", "$[?(@.ok)]", "$.a[0", "$x"])
    func unsupportedPathsAreRefused(path: String) {
        #expect(throws: InputError.self) { try JSONPathCheck(path: path) }
    }

    @Test func theVerdictNamesTheFailedValue() throws {
        var result = ProbeResult(outcome: .response(code: 200, reason: "OK"))
        result.body = Self.body
        let options = CheckOptions(jsonChecks: [
            try JSONPathCheck(path: "$.status", equals: "ok"), try JSONPathCheck(path: "$.checks[0].ok", equals: "false"),
        ])
        #expect(options.needsBody && options.initialMethod == .get)
        let verdict = CheckVerdict(result, latency: .milliseconds(5), options: options, now: Date())
        #expect(verdict == CheckVerdict(health: .down, status: #"200 OK, but $.checks[0].ok is "true" (expected "false")"#))
        result.body = Array("<html>".utf8)
        #expect(CheckVerdict(result, latency: .milliseconds(5), options: options, now: Date()).status == "200 OK, but the body is not JSON")
    }

    @Test func theConfigTakesOneCheckOrAListAndPlacesItsMistakes() throws {
        let one = try ConfigLoader.parse(
            "urls:\n  - url: https://e.example/\n    json: {path: $.status, equals: ok}\n",
            file: "u.yml",
            environment: [:]
        )
        #expect(one.urls[0].fields.jsonChecks == [try JSONPathCheck(path: "$.status", equals: "ok")])
        let list = try ConfigLoader.parse(
            "urls:\n  - url: https://e.example/\n    json:\n      - {path: $.status, equals: ok}\n      - {path: $.version}\n",
            file: "u.yml",
            environment: [:]
        )
        #expect(list.urls[0].fields.jsonChecks?.count == 2)
        #expect {
            try ConfigLoader.parse("urls:\n  - url: https://e.example/\n    json: {path: \"$.checks[*]\"}\n", file: "u.yml", environment: [:])
        } throws: { error in
            (error as? InputError)?.message.hasPrefix("u.yml:3:18: urls[0].json.path: \"$.checks[*]\": [*] is neither an index") == true
        }
    }
}
