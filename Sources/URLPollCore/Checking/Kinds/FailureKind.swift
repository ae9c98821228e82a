/// Why a poll got no usable answer, as a code rather than text: the text is made at the edge (the
/// status), while alerting, metrics and history read the code.
public enum FailureKind: String, Sendable, CaseIterable {
    /// The host actively refused the connection.
    case refused
    /// The poll's timeout or connect timeout ran out.
    case timeout
    /// The host's name could not be resolved (or has no address of the version asked for).
    case nameResolution = "name_resolution"
    /// The TLS handshake failed (certificate, version, name).
    case tls
    /// The connection was reset or closed before the exchange completed.
    case reset
    /// No route to the host or its network.
    case unreachable
    /// The server answered something the check cannot read (not the protocol it speaks).
    case invalidAnswer = "invalid_answer"
    /// The server answered in its protocol, but not what the check expects (`expect:` did not match).
    case unexpectedAnswer = "unexpected_answer"
    /// The answer was right but a condition every kind shares failed (`max-latency`, `cert-expiry-warning`).
    case condition
    /// Anything else (a socket error of another kind).
    case other

    /// Whether this failure says nothing about the target itself, only that it could not be reached
    /// (what ``ConnectivityJudge`` counts as a sign that urlpoll's own network may be at fault).
    public var isTransport: Bool {
        switch self {
        case .refused, .timeout, .nameResolution, .reset, .unreachable, .other: true
        case .tls, .invalidAnswer, .unexpectedAnswer, .condition: false
        }
    }
}
