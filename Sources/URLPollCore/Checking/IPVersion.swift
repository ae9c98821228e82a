#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which of a host's addresses a poll may connect to (`ip-version:`).
public enum IPVersion: String, Sendable, CaseIterable {
    /// Every resolved address, IPv6 and IPv4 raced (Happy Eyeballs): the default.
    case any
    /// IPv4 only: a host without an IPv4 address is down.
    case v4 = "4"
    /// IPv6 only: a host without an IPv6 address is down.
    case v6 = "6"
}

extension IPVersion {
    /// The version of `host` when it is written as an IP address (`127.0.0.1`, `::1`, `[::1]`); `nil` for
    /// a name. Pure.
    public static func ofAddress(_ host: String) -> IPVersion? {
        var text = host
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return .v4 }
        if inet_pton(AF_INET6, text, &buffer) == 1 { return .v6 }
        return nil
    }
}
