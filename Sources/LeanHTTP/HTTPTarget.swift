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
        /// Set for https connections that skip certificate verification: they are never shared with verified ones.
        var skipsVerification = false
        /// The TLS profile of https connections made with one: they are shared only with the same profile.
        var profile: TLSProfile?
        /// Which of the host's addresses the connection may use.
        var ipVersion = IPVersion.any

        /// Whether the host is written as an IP address (no name to resolve or to send as SNI).
        var isAddress: Bool {
            host.utf8.contains(UInt8(ascii: ":")) || host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
        }
    }

    let connection: ConnectionKey
    /// The request target: path and query, as written (`/` when the URL has no path).
    let requestTarget: String
    /// The `Host` header: the host, and the port unless it is the scheme's default.
    let hostHeader: String

    /// Parses an `http` or `https` URL; `nil` if it is neither or has no host.
    ///
    /// Works on the UTF-8 view (the delimiters are ASCII), so a typical URL costs a few hundred nanoseconds.
    init?(url: String) {
        let bytes = url.utf8
        let isTLS: Bool
        if Self.hasPrefix(bytes, "http://") {
            isTLS = false
        } else if Self.hasPrefix(bytes, "https://") {
            isTLS = true
        } else {
            return nil
        }
        let authorityStart = bytes.index(bytes.startIndex, offsetBy: isTLS ? 8 : 7)
        let authorityEnd =
            bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        var authority = url[authorityStart..<authorityEnd]
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.utf8.index(after: at)...] }
        var target = url[authorityEnd...]
        if let hash = target.utf8.firstIndex(of: UInt8(ascii: "#")) { target = target[..<hash] }
        let host: Substring
        var port = isTLS ? 443 : 80
        if authority.utf8.first == UInt8(ascii: "[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = authority[authority.utf8.index(after: authority.startIndex)..<close]
            let after = authority[authority.utf8.index(after: close)...]
            if after.utf8.first == UInt8(ascii: ":") {
                guard let given = Int(after.dropFirst()) else { return nil }
                port = given
            }
        } else if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            let portText = authority[authority.utf8.index(after: colon)...]
            if !portText.isEmpty {
                guard let given = Int(portText) else { return nil }
                port = given
            }
        } else {
            host = authority
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        let hostString = host.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? host.lowercased() : String(host)
        connection = ConnectionKey(isTLS: isTLS, host: hostString, port: port)
        if target.isEmpty {
            requestTarget = "/"
        } else if target.utf8.first == UInt8(ascii: "?") {
            requestTarget = "/" + target
        } else {
            requestTarget = String(target)
        }
        let bracketed = hostString.utf8.contains(UInt8(ascii: ":")) ? "[\(hostString)]" : hostString
        hostHeader = port == (isTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    /// Whether `bytes` starts with the lowercase ASCII `prefix`, ignoring case.
    private static func hasPrefix(_ bytes: String.UTF8View, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return prefix.withUTF8Buffer { expected in
            // ASCII-only folding: only A-Z become a-z, so no other byte can pass for a letter or a ":".
            zip(bytes, expected).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
        }
    }
}
