/// Which addresses of a host a request may connect to.
public enum IPVersion: Sendable, Hashable {
    /// Every address the host resolves to, IPv6 and IPv4 raced as Happy Eyeballs does (RFC 8305).
    case any
    /// IPv4 addresses only.
    case v4
    /// IPv6 addresses only.
    case v6
}

/// The host has no address of the version the request asked for (its name resolved, or it is written as
/// an address, of the other version only).
public struct NoAddressOfVersion: Error, Equatable, Sendable, CustomStringConvertible {
    public let host: String
    /// ``IPVersion/v4`` or ``IPVersion/v6``.
    public let version: IPVersion

    public var description: String { "no \(version == .v6 ? "IPv6" : "IPv4") address for \(host)" }
}

/// The host name did not resolve: `getaddrinfo` failed with `reason` (its `gai_strerror` text).
public struct HostNotFound: Error, Equatable, Sendable, CustomStringConvertible {
    public let host: String
    public let reason: String

    public var description: String { "DNS lookup failed for \(host) (\(reason))" }
}
