/// How long each phase of a poll took: DNS resolution, TCP connect, TLS handshake, time to first byte
/// and transfer. A phase that did not happen is `nil` (a kept-alive connection has no DNS, connect or
/// TLS phase; a host written as an address has no DNS phase; http has no TLS phase).
///
/// A poll that follows redirects (or repeats a HEAD as a GET) adds up the phases of its requests, as
/// blackbox_exporter does, so the phases of a poll add up to about its latency.
///
/// Stored in microseconds, 4 bytes a phase (the ``StateMonitor`` keeps one per URL); a phase saturates
/// at about 71 minutes. Pure value.
public struct PollPhases: Sendable, Equatable {
    /// The phases in the order they happen, named as reports name them.
    public enum Phase: String, Sendable, CaseIterable {
        case dns, connect, tls, ttfb, transfer
    }

    private static let absent = UInt32.max
    private var microseconds: (UInt32, UInt32, UInt32, UInt32, UInt32) = (absent, absent, absent, absent, absent)

    /// No phase measured (a refused connection, or a client that does not tell).
    public init() {}

    /// The phases given; `nil` ones did not happen.
    public init(dns: Duration? = nil, connect: Duration? = nil, tls: Duration? = nil, ttfb: Duration? = nil, transfer: Duration? = nil) {
        self[.dns] = dns
        self[.connect] = connect
        self[.tls] = tls
        self[.ttfb] = ttfb
        self[.transfer] = transfer
    }

    /// The phases given in nanoseconds (as a client's monotonic clock measures them), without going
    /// through `Duration`'s 128-bit arithmetic: this runs on every poll.
    public init(nanoseconds dns: Int64?, connect: Int64?, tls: Int64?, ttfb: Int64?, transfer: Int64?) {
        microseconds = (Self.stored(dns), Self.stored(connect), Self.stored(tls), Self.stored(ttfb), Self.stored(transfer))
    }

    /// How long `phase` took, or `nil` if it did not happen.
    public subscript(phase: Phase) -> Duration? {
        get {
            microseconds(of: phase).map { .microseconds(Int64($0)) }
        }
        set {
            let value = Self.stored(newValue.map { $0.wholeNanoseconds })
            switch phase {
            case .dns: microseconds.0 = value
            case .connect: microseconds.1 = value
            case .tls: microseconds.2 = value
            case .ttfb: microseconds.3 = value
            case .transfer: microseconds.4 = value
            }
        }
    }

    /// How many microseconds `phase` took, or `nil` if it did not happen (the stored value, for hot paths).
    public func microseconds(of phase: Phase) -> UInt32? {
        let value =
            switch phase {
            case .dns: microseconds.0
            case .connect: microseconds.1
            case .tls: microseconds.2
            case .ttfb: microseconds.3
            case .transfer: microseconds.4
            }
        return value == Self.absent ? nil : value
    }

    /// Whether no phase was measured.
    public var isEmpty: Bool {
        microseconds == (Self.absent, Self.absent, Self.absent, Self.absent, Self.absent)
    }

    /// Each phase of both polls added up; a phase is `nil` only if it happened in neither.
    public func adding(_ other: PollPhases) -> PollPhases {
        if isEmpty { return other }
        if other.isEmpty { return self }
        var sum = self
        for phase in Phase.allCases {
            switch (self[phase], other[phase]) {
            case (let mine?, let theirs?): sum[phase] = mine + theirs
            case (nil, let theirs?): sum[phase] = theirs
            default: break
            }
        }
        return sum
    }

    /// The phase that took longest (the first of equals), if any was measured.
    public var slowest: (phase: Phase, duration: Duration)? {
        var slowest: (phase: Phase, duration: Duration)?
        for phase in Phase.allCases {
            if let duration = self[phase], duration > (slowest?.duration ?? .microseconds(-1)) { slowest = (phase, duration) }
        }
        return slowest
    }

    /// A duration in nanoseconds as stored: microseconds, saturating below ``absent``.
    private static func stored(_ nanoseconds: Int64?) -> UInt32 {
        guard let nanoseconds else { return absent }
        return UInt32(clamping: max(0, nanoseconds / 1000)).clamped(below: absent)
    }

    public static func == (lhs: PollPhases, rhs: PollPhases) -> Bool {
        lhs.microseconds == rhs.microseconds
    }
}

extension UInt32 {
    /// This value, or the largest value below `limit` if it is not below it.
    fileprivate func clamped(below limit: UInt32) -> UInt32 { self < limit ? self : limit - 1 }
}
