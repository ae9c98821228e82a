import AsyncHTTPClient
import LeanHTTP
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import URLPollCore

/// Turns the errors a request can throw into short status texts for people: `connection refused`,
/// `timed out after 10s`, `invalid HTTP response (not an HTTP status line)`, ...
///
/// Pure: one function of the error (and the timeout to quote), tested against the errors that
/// async-http-client and SwiftNIO actually throw.
package enum FailureDescription {
    /// A status text for `error`.
    ///
    /// - Parameter timeout: the poll's timeout, quoted when the error is a timeout.
    package static func describe(_ error: any Error, timeout: Duration) -> String {
        let limit = DurationFormat.format(timeout)
        if let error = error as? ConnectionFailure {
            switch error {
            case .timedOut: return "timed out after \(limit)"
            case .timedOutInBody: return "timed out after \(limit) reading the body"
            case .resolutionTimedOut: return "DNS lookup timed out"
            case .handshakeTimedOut: return "TLS handshake timed out"
            case .closedBeforeResponse: return "connection closed by server before a complete response"
            }
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .getConnectionFromPoolTimeout: return "timed out after \(limit)"
            case .connectTimeout: return "connect timed out"
            case .tlsHandshakeTimeout: return "TLS handshake timed out"
            case .remoteConnectionClosed: return "connection closed by server before a complete response"
            case .redirectLimitReached: return "too many redirects"
            case .redirectCycleDetected: return "redirect loop"
            case .cancelled: return "cancelled"
            default: return "request failed: \(error.shortDescription)"
            }
        }
        if let error = error as? IOError {
            return describe(errno: error.errnoCode)
        }
        if let error = error as? InvalidHTTPResponse {
            return error.description
        }
        if let error = error as? HTTPParserError {
            return "invalid HTTP response (\(error.debugDescription))"
        }
        if let error = error as? NoAddressOfVersion {
            return error.description
        }
        if let error = error as? NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
                // The lean client's resolver says why; the one of the version asked for speaks first.
                for lookup in [error.dnsAAAAError, error.dnsAError] {
                    if let lookup = lookup as? NoAddressOfVersion { return lookup.description }
                }
                if let lookup = (error.dnsAAAAError ?? error.dnsAError) as? HostNotFound { return lookup.description }
                return "DNS lookup failed for \(error.host)"
            }
            if let first = error.connectionErrors.first {
                return describe(first.error, timeout: timeout)
            }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? NIOSSLError {
            if case .handshakeFailed(let reason) = error {
                return "TLS error: handshake failed (\(boringSSLReason(String(describing: reason))))"
            }
            return "TLS error: \(error)"
        }
        if let error = error as? NIOSSLExtraError {
            return "TLS error: \(error)"
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return "connect timed out"
        }
        if error is CancellationError { return "cancelled" }
        return "\(error)"
    }

    /// The reason codes in a BoringSSL error text, such as `CERTIFICATE_VERIFY_FAILED` out of
    /// `sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /…])`.
    static func boringSSLReason(_ text: String) -> String {
        let reasons = text.components(separatedBy: "OPENSSL_internal:").dropFirst().compactMap { part in
            part.split(whereSeparator: { $0 == " " || $0 == "]" || $0 == "," }).first.map(String.init)
        }
        return reasons.isEmpty ? text : reasons.joined(separator: ", ")
    }

    /// A status text for a failed socket call.
    package static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset by peer"
        case ETIMEDOUT: "connection timed out"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case EPIPE: "connection closed by server (broken pipe)"
        case EADDRINUSE: "address already in use"
        case EACCES: "permission denied"
        case EADDRNOTAVAIL: "address not available on this machine"
        default: "socket error \(code) (\(String(cString: strerror(code))))"
        }
    }
}
