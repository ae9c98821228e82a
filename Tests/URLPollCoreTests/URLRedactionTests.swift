import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// How URLs are shown: every case of userinfo and sensitive parameters in one table. Pure.
struct URLRedactionTests {
    @Test(arguments: [
        // Nothing to hide: the same string.
        ("https://api.example/health", "https://api.example/health"),
        ("https://api.example/?page=2&sort=asc", "https://api.example/?page=2&sort=asc"),
        ("https://api.example/a@b/c", "https://api.example/a@b/c"),  // an @ in the path is not userinfo
        ("https://[::1]:8443/x", "https://[::1]:8443/x"),
        // Userinfo, whole: a token alone before the @ is as secret as a password.
        ("https://user:pass@api.example/", "https://<redacted>@api.example/"),
        ("https://ghp_token@api.example/", "https://<redacted>@api.example/"),
        ("https://user:p%40ss@api.example:8443/x?y=1", "https://<redacted>@api.example:8443/x?y=1"),
        ("http://a:b@[::1]:80/", "http://<redacted>@[::1]:80/"),
        ("http://u:p@h", "http://<redacted>@h"),
        // Sensitive parameters: each default name, any case, percent-encoded, several, empty values kept.
        ("https://h/?token=abc", "https://h/?token=<redacted>"),
        ("https://h/?key=1&apikey=2&api_key=3", "https://h/?key=<redacted>&apikey=<redacted>&api_key=<redacted>"),
        ("https://h/?access_token=a&password=b&secret=c", "https://h/?access_token=<redacted>&password=<redacted>&secret=<redacted>"),
        ("https://h/?sig=a&signature=b&page=1", "https://h/?sig=<redacted>&signature=<redacted>&page=1"),
        ("https://h/?TOKEN=abc&Token=def", "https://h/?TOKEN=<redacted>&Token=<redacted>"),
        ("https://h/?%74oken=abc", "https://h/?%74oken=<redacted>"),
        ("https://h/?token=", "https://h/?token="),
        ("https://h/?token", "https://h/?token"),
        ("https://h/?tokens=abc&mytoken=x", "https://h/?tokens=abc&mytoken=x"),  // whole names only
        ("https://h/?a=1&&token=x&", "https://h/?a=1&&token=<redacted>&"),
        ("https://h/?token=a=b", "https://h/?token=<redacted>"),
        // The fragment too (an OAuth implicit flow leaves a token there), kept apart from the query.
        ("https://h/cb#access_token=abc&state=1", "https://h/cb#access_token=<redacted>&state=1"),
        ("https://h/?page=1#token=abc", "https://h/?page=1#token=<redacted>"),
        // Both at once.
        ("https://u:p@h/?token=t#secret=s", "https://<redacted>@h/?token=<redacted>#secret=<redacted>"),
    ])
    func theStandardRulesHideUserinfoAndSensitiveParameters(url: String, shown: String) {
        #expect(URLRedaction.standard.redact(url) == shown)
        #expect(URLRedaction.standard.hides(anythingIn: url) == (url != shown))
    }

    @Test func sensitiveQueryAddsNamesInAnyCase() {
        let redaction = URLRedaction(adding: ["X-Auth", "session"])
        #expect(
            redaction.redact("https://h/?x-auth=1&SESSION=2&token=3&page=4")
                == "https://h/?x-auth=<redacted>&SESSION=<redacted>&token=<redacted>&page=4"
        )
        #expect(URLRedaction.standard.redact("https://h/?session=2") == "https://h/?session=2")
    }

    /// Parts as written, for the join back together: nothing decoded, nothing lost.
    @Test(arguments: [
        "https://u:p@h:1/p/a?q=1#f", "http://h", "http://h/", "http://h?x", "http://h#y", "http://u@h", "http://[::1]/",
    ])
    func partsJoinBackToTheSameURL(url: String) {
        #expect(URLParts(url).joined == url)
    }
}
