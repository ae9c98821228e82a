import Foundation

/// Where one HTTP request goes: the connection (scheme, host, port) and what to send on it.
///
/// Parsed by hand on every poll (no Foundation `URL`), since it sits on the poll path. Pure.
struct HTTPTarget: Sendable, Equatable {
    /// The connection this request can use: requests with equal keys can share a keep-alive connection.
    struct ConnectionKey: Hashable, Sendable {
        let isTLS: Bool
        let host: String
        let port: Int
    }

    let connection: ConnectionKey
    /// The request target: path and query, as written (`/` when the URL has no path).
    let requestTarget: String
    /// The `Host` header: the host, and the port unless it is the scheme's default.
    let hostHeader: String

    /// Parses an `http` or `https` URL; `nil` if it is neither or has no host.
    init?(url: String) {
        let isTLS: Bool
        let rest: Substring
        if url.utf8.count >= 7, url.prefix(7).lowercased() == "http://" {
            isTLS = false
            rest = url.dropFirst(7)
        } else if url.utf8.count >= 8, url.prefix(8).lowercased() == "https://" {
            isTLS = true
            rest = url.dropFirst(8)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var target = rest[authorityEnd...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }
        let host: Substring
        var port = isTLS ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let given = Int(after.dropFirst()) else { return nil }
                port = given
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let portText = authority[authority.index(after: colon)...]
            if !portText.isEmpty {
                guard let given = Int(portText) else { return nil }
                port = given
            }
        } else {
            host = authority
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        let hostString = String(host).lowercased()
        connection = ConnectionKey(isTLS: isTLS, host: hostString, port: port)
        requestTarget = target.isEmpty ? "/" : (target.hasPrefix("?") ? "/" + target : String(target))
        let bracketed = hostString.contains(":") ? "[\(hostString)]" : hostString
        hostHeader = port == (isTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    /// The absolute URL a `Location` header points to, relative to `base`.
    static func resolve(location: String, against base: String) -> String? {
        URL(string: location, relativeTo: URL(string: base))?.absoluteURL.absoluteString
    }
}
