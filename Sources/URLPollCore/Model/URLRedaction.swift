/// How a URL is shown without the credentials it may carry. Pure.
///
/// - The userinfo (`https://user:pass@host/`, or a token alone before the `@`) becomes `<redacted>`:
///   `https://<redacted>@host/`.
/// - The value of every query (or fragment) parameter whose name is sensitive becomes `<redacted>`:
///   `?token=<redacted>&page=2`. Names compare case-insensitively after percent-decoding, so
///   `?TOKEN=` and `?%74oken=` are caught too. The names are ``defaultSensitiveQuery`` and what
///   `sensitive-query:` adds.
///
/// Everything else (scheme, host, port, path, other parameters) is kept as written. A token in the path
/// cannot be recognised: such URLs should carry it in a header instead (docs/configuration.md).
public struct URLRedaction: Sendable, Equatable {
    /// What `sensitive-query:` starts from: the parameter names that carry credentials by convention.
    public static let defaultSensitiveQuery: Set<String> = [
        "token", "key", "apikey", "api_key", "access_token", "password", "secret", "sig", "signature",
    ]

    /// The built-in names only.
    public static let standard = URLRedaction()

    /// The sensitive parameter names, lowercased.
    public let sensitiveQuery: Set<String>

    /// The built-in names and `adding` (any case).
    public init(adding names: some Sequence<String> = [String]()) {
        sensitiveQuery = Self.defaultSensitiveQuery.union(names.map { $0.lowercased() })
    }

    /// `url` as it may be shown; `url` itself (the same storage) when it carries nothing to hide.
    public func redact(_ url: String) -> String {
        let bytes = url.utf8
        // Most URLs have neither userinfo nor parameters: one scan, no copy.
        guard bytes.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else { return url }
        var parts = URLParts(url)
        var changed = false
        if parts.userinfo != nil {
            parts.userinfo = Substring(Secret<String>.redacted)
            changed = true
        }
        if let query = parts.query, let redacted = redactParameters(query) {
            parts.query = redacted
            changed = true
        }
        if let fragment = parts.fragment, let redacted = redactParameters(fragment) {
            parts.fragment = redacted
            changed = true
        }
        return changed ? parts.joined : url
    }

    /// Whether ``redact(_:)`` changes `url`.
    public func hides(anythingIn url: String) -> Bool {
        redact(url) != url
    }

    /// `text` (`a=1&token=x`) with every sensitive parameter's value replaced; `nil` when none is.
    private func redactParameters(_ text: Substring) -> Substring? {
        var changed = false
        let items = text.split(separator: "&", omittingEmptySubsequences: false).map { item -> Substring in
            guard let equals = item.firstIndex(of: "="), sensitiveQuery.contains(Self.parameterName(item[..<equals])) else { return item }
            guard item.index(after: equals) < item.endIndex else { return item }
            changed = true
            return item[...equals] + Secret<String>.redacted
        }
        return changed ? Substring(items.joined(separator: "&")) : nil
    }

    /// A parameter's name as it is compared: percent-decoded, `+` as a space, lowercased.
    static func parameterName(_ raw: Substring) -> String {
        let spaced = raw.replacingOccurrences(of: "+", with: " ")
        return (spaced.removingPercentEncoding ?? spaced).lowercased()
    }
}

/// A URL cut at its delimiters, as written (nothing decoded): what ``URLRedaction`` and
/// ``TargetURL`` take apart. Pure.
///
///     scheme://userinfo@host:port/path?query#fragment
///
/// The authority ends at the first `/`, `?` or `#` after `//`; the userinfo is what precedes its last `@`.
struct URLParts: Equatable {
    /// Everything up to and including `//` (or the whole prefix before the path of a URL without one).
    var prefix: Substring
    var userinfo: Substring?
    /// Host and port.
    var hostAndPort: Substring
    var path: Substring
    var query: Substring?
    var fragment: Substring?

    init(_ url: String) {
        var rest = url[...]
        if let fragmentStart = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: fragmentStart)...]
            rest = rest[..<fragmentStart]
        }
        if let queryStart = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: queryStart)...]
            rest = rest[..<queryStart]
        }
        if let slashes = rest.range(of: "//") {
            prefix = rest[..<slashes.upperBound]
            let afterSlashes = rest[slashes.upperBound...]
            let authorityEnd = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            var authority = afterSlashes[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                userinfo = authority[..<at]
                authority = authority[authority.index(after: at)...]
            }
            hostAndPort = authority
            path = afterSlashes[authorityEnd...]
        } else {
            prefix = rest[rest.startIndex..<rest.startIndex]
            hostAndPort = rest[rest.startIndex..<rest.startIndex]
            path = rest
        }
    }

    /// The URL put back together.
    var joined: String {
        var text = String(prefix)
        if let userinfo { text += userinfo + "@" }
        text += hostAndPort + path
        if let query { text += "?" + query }
        if let fragment { text += "#" + fragment }
        return text
    }

    /// The same URL without its userinfo.
    var withoutUserinfo: String {
        var parts = self
        parts.userinfo = nil
        return parts.joined
    }
}
