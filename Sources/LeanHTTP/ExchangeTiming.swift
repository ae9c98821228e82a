import NIOCore

/// How long each phase of one exchange took; a phase that did not happen is `nil`.
///
/// A request on a kept-alive connection has only ``firstByte`` and ``transfer``; one to a host written
/// as an address has no ``dns``; an http one has no ``tls``. The phases follow each other without gaps
/// or overlap, except that a new connection's time between the end of the TLS handshake and the
/// request being written (a few microseconds on the event loop) belongs to none.
public struct ExchangeTiming: Sendable, Equatable {
    /// Resolving the host name (both address families at once, with `getaddrinfo`).
    public var dns: TimeAmount?
    /// From the resolved addresses (or the start, for an address) to the TCP connection; with Happy
    /// Eyeballs, this includes the attempts that lost the race.
    public var connect: TimeAmount?
    /// The TLS handshake, from the TCP connection to its end (certificate verification included).
    public var tls: TimeAmount?
    /// From the request written to the first byte of the response.
    public var firstByte: TimeAmount?
    /// From the first byte of the response to its end (or to the part of the body that was kept).
    public var transfer: TimeAmount?

    public init(
        dns: TimeAmount? = nil,
        connect: TimeAmount? = nil,
        tls: TimeAmount? = nil,
        firstByte: TimeAmount? = nil,
        transfer: TimeAmount? = nil
    ) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.transfer = transfer
    }
}
