import Foundation

/// One monitored URL, in the three forms urlpoll needs: as configured, as requested, and as shown.
///
/// - ``configured`` is the URL as the user wrote it, credentials included. It tells URLs apart (two URLs
///   that differ only in a token are two URLs), its ``StableID`` is the URL's id, and the history keys
///   the URL by it. It is never shown: it is `package`, reached by the target list, the stores and the
///   cluster code.
/// - ``requested`` is what the request goes to: the configured URL without its userinfo, which is sent as
///   an `Authorization: Basic` header instead (``basicAuthorization``), as curl does.
/// - ``shown`` is what reports, log lines, the page, the API, metrics labels, `history` output and alert
///   payloads print: the userinfo and sensitive query values replaced by `<redacted>` (``URLRedaction``).
///   It is also the URL's `description`, `debugDescription`, `Mirror` and `Encodable` form, so a
///   `TargetURL` printed by accident prints no credential.
///
/// A plain URL (nothing to hide, no userinfo) costs what its `String` costs, plus one `nil` word: the
/// other forms are the same string. Equality, hashing and identity are the configured URL's.
public struct TargetURL: Sendable, Hashable, Comparable, CustomStringConvertible, CustomDebugStringConvertible, CustomLeafReflectable,
    Encodable, ExpressibleByStringLiteral
{
    /// The URL as configured.
    package let configured: String
    /// The other forms, for the few URLs whose forms differ.
    private let forms: Forms?

    /// The shown and requested forms of a URL that carries credentials. Immutable, shared by the copies.
    private final class Forms: Sendable {
        let shown: String
        let requested: String
        let basicAuthorization: Secret<String>?

        init(shown: String, requested: String, basicAuthorization: Secret<String>?) {
            self.shown = shown
            self.requested = requested
            self.basicAuthorization = basicAuthorization
        }
    }

    /// `configured`, shown with `redaction`'s rules.
    public init(_ configured: String, redaction: URLRedaction = .standard) {
        self.configured = configured
        let shown = redaction.redact(configured)
        let parts = shown == configured ? nil : URLParts(configured)
        guard let parts else {
            forms = nil
            return
        }
        forms = Forms(
            shown: shown,
            requested: parts.userinfo == nil ? configured : parts.withoutUserinfo,
            basicAuthorization: parts.userinfo.flatMap { $0.isEmpty ? nil : Self.basicAuthorization(userinfo: $0) }
        )
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// What reports, logs, the page, the API, metrics and alert payloads show.
    public var shown: String { forms?.shown ?? configured }

    /// The kind of check the URL's scheme chooses (``CheckKindName/init(scheme:)``).
    public var kind: CheckKindName {
        // Reports ask for every URL: most are http(s), answered without making a string.
        if configured.utf8.starts(with: "http://".utf8) || configured.utf8.starts(with: "https://".utf8) { return .http }
        guard let colon = configured.utf8.firstIndex(of: UInt8(ascii: ":")) else { return .http }
        return CheckKindName(scheme: String(configured[..<colon]))
    }

    /// What the request goes to: the configured URL without its userinfo.
    public var requested: String { forms?.requested ?? configured }

    /// `Basic base64(user:password)` from the URL's userinfo (percent-decoded, as curl sends it); `nil`
    /// for a URL without userinfo.
    public var basicAuthorization: Secret<String>? { forms?.basicAuthorization }

    /// Whether the shown form hides something of the configured one.
    public var isRedacted: Bool { forms != nil }

    public var description: String { shown }
    public var debugDescription: String { shown }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(shown)
    }

    public static func == (lhs: TargetURL, rhs: TargetURL) -> Bool { lhs.configured == rhs.configured }
    public func hash(into hasher: inout Hasher) { hasher.combine(configured) }

    /// Shown order (what lists are sorted by), the configured URL deciding between equal shown forms.
    public static func < (lhs: TargetURL, rhs: TargetURL) -> Bool {
        lhs.shown == rhs.shown ? lhs.configured < rhs.configured : lhs.shown < rhs.shown
    }

    /// The URL's id (``StableID`` of the configured URL, so ids are what they were before redaction).
    public var stableID: String { StableID.of(configured) }

    /// `Basic …` for `userinfo` (`user:password`, each percent-decoded; a missing password is empty).
    static func basicAuthorization(userinfo: Substring) -> Secret<String> {
        let (user, password): (Substring, Substring)
        if let colon = userinfo.firstIndex(of: ":") {
            (user, password) = (userinfo[..<colon], userinfo[userinfo.index(after: colon)...])
        } else {
            (user, password) = (userinfo, "")
        }
        let decoded = "\(user.removingPercentEncoding ?? String(user)):\(password.removingPercentEncoding ?? String(password))"
        return Secret("Basic " + Data(decoded.utf8).base64EncodedString())
    }
}
