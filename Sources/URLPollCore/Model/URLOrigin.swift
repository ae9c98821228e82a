import Foundation

/// The scheme, host and port of an http(s) URL: what the URL's credentials belong to (RFC 6454), and
/// what a redirect may leave (``RedirectHeaders``). Hosts compare case-insensitively; a missing port is
/// the scheme's default. Pure.
public struct URLOrigin: Hashable, Sendable {
    public let isTLS: Bool
    public let host: String
    public let port: Int

    /// The origin of an `http` or `https` URL with a host; `nil` for anything else.
    public init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return nil }
        isTLS = scheme == "https"
        self.host = host.lowercased()
        port = components.port ?? (isTLS ? 443 : 80)
    }

    /// The absolute URL a `Location` header points to, relative to `base`; `nil` if it is not a URL.
    public static func resolve(location: String, against base: String) -> String? {
        URL(string: location, relativeTo: URL(string: base))?.absoluteURL.absoluteString
    }
}
