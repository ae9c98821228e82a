import LeanHTTP
import NIOCore
import NIOPosix
import NIOSSL
import URLPollCore
import URLPollProbes

#if canImport(Glibc)
    import Glibc
#endif

/// Turns the errors of connecting and exchanging bytes into a ``FailureKind`` and a status text
/// (`connection refused`, `connect timed out`, `DNS lookup failed for db.invalid (…)`). Pure.
package enum SocketFailure {
    /// The failed result `error` stands for; `phases` are those measured before it.
    package static func result(_ error: any Error, timeout: Duration, phases: PollPhases = PollPhases()) -> CheckResult {
        .failed(kind(of: error), FailureDescription.describe(error, timeout: timeout), phases: phases)
    }

    /// What kind of failure `error` is.
    package static func kind(of error: any Error) -> FailureKind {
        switch error {
        case let error as IOError: kind(errno: error.errnoCode)
        case let error as ChannelError: if case .connectTimeout = error { .timeout } else { .other }
        case is NoAddressOfVersion, is HostNotFound: .nameResolution
        case let error as ConnectionFailure:
            switch error {
            case .timedOut, .timedOutInBody, .handshakeTimedOut: .timeout
            case .resolutionTimedOut: .nameResolution
            case .closedBeforeResponse: .reset
            }
        case is HandshakeInterrupted: .tls
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                .nameResolution
            } else if let first = error.connectionErrors.first {
                kind(of: first.error)
            } else {
                .other
            }
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError: .tls
        default: .other
        }
    }

    /// What kind of failure a failed socket call is.
    package static func kind(errno code: Int32) -> FailureKind {
        switch code {
        case ECONNREFUSED: .refused
        case ECONNRESET, EPIPE: .reset
        case ETIMEDOUT: .timeout
        case EHOSTUNREACH, ENETUNREACH: .unreachable
        default: .other
        }
    }
}
