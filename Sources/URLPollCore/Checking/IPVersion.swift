/// Which of a host's addresses a poll may connect to (`ip-version:`).
public enum IPVersion: String, Sendable, CaseIterable {
    /// Every resolved address, IPv6 and IPv4 raced (Happy Eyeballs): the default.
    case any
    /// IPv4 only: a host without an IPv4 address is down.
    case v4 = "4"
    /// IPv6 only: a host without an IPv6 address is down.
    case v6 = "6"
}
