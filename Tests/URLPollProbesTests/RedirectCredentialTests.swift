import Foundation
import NIOCore
import Testing

@testable import LeanHTTP
@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// Credentials stay with their origin: a redirect to another scheme, host or port drops the sensitive
/// headers (and, from https to http, every configured header), for both HTTP clients, with two real
/// servers on 127.0.0.1 and 127.0.0.2.
@Suite(.timeLimit(.minutes(1)))
struct RedirectCredentialTests {
    /// A URL's options as a config file gives them: two always-sensitive headers, one named in
    /// `sensitive-headers:`, one from `${NAME}`, and one plain header.
    static func options(for url: String, insecureTLS: Bool = false) throws -> CheckOptions {
        let yaml = """
            urls:
              - url: \(url)
                insecure-tls: \(insecureTLS)
                sensitive-headers: [X-Api-Key]
                headers:
                  Authorization: Bearer ${TOKEN}
                  Cookie: session=abc
                  X-Api-Key: key-1
                  X-From-Env: ${TENANT}
                  X-Plain: plain
            """
        let file = try ConfigLoader.parse(yaml, file: "test.yml", environment: ["TOKEN": "t0ken", "TENANT": "acme"])
        return file.targets(settings: Settings(), file: "test.yml")[0].options!
    }

    static let configured = ["authorization", "cookie", "x-api-key", "x-from-env", "x-plain"]
    static let plainOnly = ["x-plain"]

    /// The configured headers (of ``configured``) a request carried.
    static func configuredHeaders(_ seen: RecordingTarget.Seen?) -> [String] {
        configured.filter { seen?.header($0) != nil }
    }

    static func poll(_ url: String, _ kind: ProbeKind, options: CheckOptions) async throws -> ProbeResult {
        // What is checked is where credentials go, not time: a generous timeout keeps a loaded machine from
        // turning an answer into a timeout.
        try await kind.results([url], options: options, timeout: .seconds(30))[0]
    }

    @Test func theSensitiveHeadersAreMarkedWhereTheConfigSaysSo() throws {
        let headers = try Self.options(for: "http://127.0.0.1/").headers
        #expect(headers.filter(\.isSensitive).map { $0.name.lowercased() } == ["authorization", "cookie", "x-api-key", "x-from-env"])
    }

    @Test func theRuleAlone() {
        let headers = [
            HeaderField(name: "Authorization", value: "a"), HeaderField(name: "Host", value: "h"),
            HeaderField(name: "X-Key", value: "k", isSensitive: true), HeaderField(name: "Accept", value: "*/*"),
        ]
        let a = URLOrigin("https://a.example/")!
        let b = URLOrigin("https://b.example/")!
        let aPlain = URLOrigin("http://a.example:443/")!
        let aOtherPort = URLOrigin("https://a.example:8443/")!
        #expect(RedirectHeaders.forwarded(headers, from: a, to: a) == headers)
        #expect(RedirectHeaders.forwarded(headers, from: a, to: b).map(\.name) == ["Accept"])
        #expect(RedirectHeaders.forwarded(headers, from: a, to: aOtherPort).map(\.name) == ["Accept"])
        #expect(RedirectHeaders.forwarded(headers, from: a, to: aPlain) == [])
        #expect(RedirectHeaders.forwarded(headers, from: aPlain, to: a).map(\.name) == ["Accept"])
    }

    @Test(arguments: ProbeKind.allCases)
    func anotherHostGetsNoCredentials(kind: ProbeKind) async throws {
        try await RecordingTarget.with(host: "127.0.0.2") { other in
            try await RecordingTarget.with(redirects: ["/start": other.url("/collect")]) { origin in
                let result = try await Self.poll(origin.url("/start"), kind, options: try Self.options(for: origin.url("/start")))
                #expect(result.outcome == .response(code: 200, reason: "OK"))
                #expect(Self.configuredHeaders(origin.log.requests.first) == Self.configured)
                #expect(other.log.requests.map(\.path) == ["/collect"])
                #expect(Self.configuredHeaders(other.log.requests.first) == Self.plainOnly)
                #expect(other.log.requests.first?.header("authorization") == nil)
            }
        }
    }

    /// A URL's userinfo goes to its origin as `Authorization: Basic` (percent-decoded, as curl sends it),
    /// never in the request line and never to another origin.
    @Test(arguments: ProbeKind.allCases)
    func aURLsUserinfoIsSentAsBasicAuthorizationToItsOriginOnly(kind: ProbeKind) async throws {
        try await RecordingTarget.with(host: "127.0.0.2") { other in
            try await RecordingTarget.with(redirects: ["/start": other.url("/collect")]) { origin in
                let list = TargetList([URLListEntry(url: "http://mon:p%40ss@127.0.0.1:\(origin.port)/start", origin: .argument(position: 1))])
                #expect(list.urls[0].requested == origin.url("/start"))
                let result = try await Self.poll(list.urls[0].requested, kind, options: list.options[0])
                #expect(result.outcome == .response(code: 200, reason: "OK"))
                let seen = try #require(origin.log.requests.first)
                #expect(seen.header("authorization") == "Basic " + Data("mon:p@ss".utf8).base64EncodedString())
                #expect(seen.path == "/start" && seen.header("host") == "127.0.0.1:\(origin.port)")
                #expect(other.log.requests.map(\.path) == ["/collect"])
                #expect(other.log.requests.first?.header("authorization") == nil)
            }
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func anotherPortOnTheSameHostGetsNoCredentials(kind: ProbeKind) async throws {
        try await RecordingTarget.with { other in
            try await RecordingTarget.with(redirects: ["/start": other.url("/collect")]) { origin in
                _ = try await Self.poll(origin.url("/start"), kind, options: try Self.options(for: origin.url("/start")))
                #expect(Self.configuredHeaders(other.log.requests.first) == Self.plainOnly)
            }
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func credentialsDroppedOnceStayDroppedBackAtTheFirstOrigin(kind: ProbeKind) async throws {
        // A → B → A: back at A, the path was chosen by B, so the credentials do not come back.
        try await RecordingTarget.with(host: "127.0.0.2") { other in
            try await RecordingTarget.with { origin in
                origin.redirect("/chain", to: other.url("/back"))
                other.redirect("/back", to: origin.url("/final"))
                let result = try await Self.poll(origin.url("/chain"), kind, options: try Self.options(for: origin.url("/chain")))
                #expect(result.outcome == .response(code: 200, reason: "OK"))
                #expect(origin.log.requests.map(\.path) == ["/chain", "/final"])
                #expect(Self.configuredHeaders(origin.log.requests.first) == Self.configured)
                #expect(Self.configuredHeaders(other.log.requests.first) == Self.plainOnly)
                #expect(Self.configuredHeaders(origin.log.requests.last) == Self.plainOnly)
            }
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func aRedirectWithinTheOriginKeepsEveryHeader(kind: ProbeKind) async throws {
        try await RecordingTarget.with(redirects: ["/start": "/final"]) { origin in
            _ = try await Self.poll(origin.url("/start"), kind, options: try Self.options(for: origin.url("/start")))
            #expect(origin.log.requests.map(\.path) == ["/start", "/final"])
            #expect(Self.configuredHeaders(origin.log.requests.last) == Self.configured)
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func fromHTTPSToHTTPNoConfiguredHeaderFollows(kind: ProbeKind) async throws {
        try await RecordingTarget.with { plain in
            try await RecordingTarget.with(tls: true, redirects: ["/start": plain.url("/collect")]) { secure in
                let options = try Self.options(for: secure.url("/start"), insecureTLS: true)
                let result = try await Self.poll(secure.url("/start"), kind, options: options)
                #expect(result.outcome == .response(code: 200, reason: "OK"))
                #expect(Self.configuredHeaders(secure.log.requests.first) == Self.configured)
                #expect(plain.log.requests.map(\.path) == ["/collect"])
                #expect(Self.configuredHeaders(plain.log.requests.first) == [])
            }
        }
    }
}
