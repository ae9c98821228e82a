import Foundation
import Testing

@testable import LeanHTTP
@testable import URLPollCore
@testable import URLPollTestSupport

struct HTTPTargetTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080/a/b?q=1#frag", false, "127.0.0.1", 8080, "/a/b?q=1", "127.0.0.1:8080"),
        ("HTTPS://Example.ORG", true, "example.org", 443, "/", "example.org"),
        ("https://example.org:443?x", true, "example.org", 443, "/?x", "example.org"),
        ("http://user:pw@[::1]:9000/p", false, "::1", 9000, "/p", "[::1]:9000"),
    ])
    func splitsAURLIntoConnectionAndRequest(url: String, tls: Bool, host: String, port: Int, target: String, hostHeader: String) throws {
        let parsed = try #require(HTTPTarget(url: url))
        #expect(parsed.connection == .init(isTLS: tls, host: host, port: port))
        #expect(parsed.requestTarget == target)
        #expect(parsed.hostHeader == hostHeader)
    }

    @Test(arguments: ["ftp://h/", "http://", "http://h:0/", "http://h:99999/", "http://h:x/", "mailto:a@b", "http:/h"])
    func rejectsWhatItCannotRequest(url: String) {
        #expect(HTTPTarget(url: url) == nil)
    }

    @Test func resolvesRelativeRedirects() {
        #expect(URLOrigin.resolve(location: "/ok", against: "http://h:1/a/b") == "http://h:1/ok")
        #expect(URLOrigin.resolve(location: "c", against: "http://h/a/b") == "http://h/a/c")
        #expect(URLOrigin.resolve(location: "https://x/", against: "http://h/") == "https://x/")
    }

    @Test func originsCompareSchemeHostAndPort() {
        #expect(URLOrigin("http://Example.org/a") == URLOrigin("http://example.org:80/b"))
        #expect(URLOrigin("https://example.org/") == URLOrigin("https://example.org:443/"))
        #expect(URLOrigin("http://example.org/") != URLOrigin("https://example.org/"))
        #expect(URLOrigin("http://127.0.0.1:8080/") != URLOrigin("http://127.0.0.2:8080/"))
        #expect(URLOrigin("ftp://example.org/") == nil)
    }
}
