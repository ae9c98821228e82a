import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// A secret is a type: every way Swift prints or encodes a value (and what holds it) says `<redacted>`.
struct SecretTests {
    static let value = "s3cr3t-Value-9f2"

    /// Every rendering of `subject` a log line, an error, a dump or a JSON document could use.
    static func renderings(of subject: some Any & Encodable) -> [String] {
        var dumped = ""
        dump(subject, to: &dumped)
        let encoder = JSONEncoder()
        let json = (try? encoder.encode(subject)).map { String(decoding: $0, as: UTF8.self) } ?? "<not encodable>"
        return [
            "\(subject)", String(describing: subject), String(reflecting: subject), dumped, json,
            Mirror(reflecting: subject).children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: ","),
        ]
    }

    @Test func aSecretPrintsAndEncodesAsRedacted() {
        let secret = Secret(Self.value)
        for text in Self.renderings(of: secret) {
            #expect(!text.contains(Self.value), "\(text)")
        }
        #expect("\(secret)" == "<redacted>")
        #expect(String(decoding: try! JSONEncoder().encode(secret), as: UTF8.self) == "\"<redacted>\"")
        #expect(secret.revealed == Self.value)
    }

    /// What holds a secret describes itself without it, by default: a header, a struct of them, an
    /// enum case, a dictionary, an optional.
    @Test func whatHoldsASecretDescribesItselfWithoutIt() {
        struct Holder {
            let header: HeaderField
            let secrets: [String: Secret<String>]
            let optional: Secret<String>?
        }
        let header = HeaderField(name: "Authorization", value: "Bearer " + Self.value)
        let holder = Holder(header: header, secrets: ["k": Secret(Self.value)], optional: Secret(Self.value))
        var dumped = ""
        dump(holder, to: &dumped)
        for text in ["\(holder)", String(reflecting: holder), dumped, "\(header)", String(reflecting: header), "\([header])"] {
            #expect(!text.contains(Self.value), "\(text)")
        }
        #expect(header.description == "Authorization: <redacted>")
        #expect(header.value.revealed == "Bearer " + Self.value)
    }

    @Test func aDatabaseLocationHidesItsPassword() throws {
        let location = try PostgresLocation(parsing: "postgres://monitor:\(Self.value)@db.example:5433/urlpoll?sslmode=require")
        var dumped = ""
        dump(location, to: &dumped)
        for text in ["\(location)", String(reflecting: location), dumped, "\(Settings.Database.postgres(location))"] {
            #expect(!text.contains(Self.value), "\(text)")
        }
        #expect(location.password?.revealed == Self.value)
    }

    @Test func aReceiverDescribesItselfByKindAndOrigin() {
        let settings = AlertReceiverSettings(
            name: "ops",
            kind: .webhook(
                url: Secret("https://hooks.example/T0/\(Self.value)?token=\(Self.value)"),
                headers: [HeaderField(name: "X-Key", value: Self.value)],
                secret: Secret(Self.value)
            )
        )
        var dumped = ""
        dump(settings, to: &dumped)
        for text in ["\(settings)", String(reflecting: settings), dumped, settings.summary] {
            #expect(!text.contains(Self.value), "\(text)")
        }
        #expect(settings.description == "ops (webhook to https://hooks.example, signed)")
    }

    /// A URL with credentials has three forms: configured (identity), requested (no userinfo), shown.
    @Test func aTargetURLShowsItselfRedacted() {
        let url = TargetURL("https://monitor:\(Self.value)@api.example/health?token=\(Self.value)&page=2")
        #expect(url.shown == "https://<redacted>@api.example/health?token=<redacted>&page=2")
        #expect(url.requested == "https://api.example/health?token=\(Self.value)&page=2")
        #expect(url.configured.contains(Self.value))
        #expect(url.basicAuthorization?.revealed == "Basic " + Data("monitor:\(Self.value)".utf8).base64EncodedString())
        for text in Self.renderings(of: url) {
            #expect(!text.contains(Self.value), "\(text)")
        }
        // The id stays the hash of the configured URL (what it was before redaction existed).
        #expect(url.stableID == StableID.of(url.configured))
        // Two URLs that differ only in a secret are two URLs.
        let other = TargetURL("https://monitor:other@api.example/health?token=\(Self.value)&page=2")
        #expect(url != other && url.shown == other.shown)
    }

    /// What a URL costs in the records kept per URL: one word more than its string.
    @Test func aTargetURLIsAStringAndOneWord() {
        #expect(MemoryLayout<TargetURL>.size == MemoryLayout<String>.size + 8)
        #expect(MemoryLayout<URLRecord>.stride <= 152, "URLRecord's doc says 152 bytes")
        #expect(MemoryLayout<Resource>.stride <= 72)
    }

    @Test func aPlainURLIsItsOwnEveryForm() {
        let url = TargetURL("https://api.example/health")
        #expect(url.shown == url.configured && url.requested == url.configured && url.basicAuthorization == nil && !url.isRedacted)
    }

    /// curl's rules: user and password percent-decoded; a user alone sends an empty password; an empty
    /// userinfo sends nothing.
    @Test(arguments: [
        ("http://user:p%40ss@h/", "user:p@ss"),
        ("http://us%3Aer@h/", "us:er:"),
        ("http://token@h/", "token:"),
        ("http://user:@h/", "user:"),
    ])
    func userinfoBecomesBasicAuthorization(url: String, credentials: String) {
        #expect(TargetURL(url).basicAuthorization?.revealed == "Basic " + Data(credentials.utf8).base64EncodedString())
        #expect(TargetURL(url).requested == "http://h/")
    }

    @Test func anEmptyUserinfoSendsNoAuthorization() {
        let url = TargetURL("http://@h/")
        #expect(url.basicAuthorization == nil && url.requested == "http://h/" && url.shown == "http://<redacted>@h/")
    }

    /// The target list turns userinfo into a header, unless the URL's options already send one.
    @Test func theTargetListSendsUserinfoUnlessAnAuthorizationIsConfigured() {
        let own = CheckOptions(headers: [HeaderField(name: "authorization", value: "Bearer configured")])
        let list = TargetList([
            URLListEntry(url: "http://u:p@h/a", origin: .argument(position: 1)),
            URLListEntry(url: "http://u:p@h/b", origin: .argument(position: 2), options: own),
            URLListEntry(url: "http://h/c", origin: .argument(position: 3)),
        ])
        #expect(list.options[0].headers.map(\.value.revealed) == ["Basic " + Data("u:p".utf8).base64EncodedString()])
        #expect(list.options[0].headers[0].isSensitive)
        #expect(list.options[1].headers.map(\.value.revealed) == ["Bearer configured"])
        #expect(list.options[2].headers.isEmpty)
        #expect(list.urls.map(\.shown) == ["http://<redacted>@h/a", "http://<redacted>@h/b", "http://h/c"])
    }
}
