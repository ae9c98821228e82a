import Foundation
import NIOCore
import Testing

@testable import LeanHTTP
@testable import URLPollChecks
@testable import URLPollCore

#if canImport(Glibc)
    import Glibc
#endif

/// The failure codes of connecting, from the errors SwiftNIO and the resolver actually throw. Pure.
struct SocketFailureTests {
    static let cases: [(any Error & Sendable, FailureKind)] = [
        (IOError(errnoCode: ECONNREFUSED, reason: "connect"), .refused),
        (IOError(errnoCode: ECONNRESET, reason: "read"), .reset),
        (IOError(errnoCode: EPIPE, reason: "write"), .reset),
        (IOError(errnoCode: ETIMEDOUT, reason: "connect"), .timeout),
        (IOError(errnoCode: EHOSTUNREACH, reason: "connect"), .unreachable),
        (IOError(errnoCode: ENETUNREACH, reason: "connect"), .unreachable),
        (IOError(errnoCode: EACCES, reason: "connect"), .other),
        (ChannelError.connectTimeout(.seconds(1)), .timeout),
        (HostNotFound(host: "db.invalid", reason: "Name or service not known"), .nameResolution),
        (NoAddressOfVersion(host: "v4only.test", version: .v6), .nameResolution),
    ]

    @Test(arguments: cases)
    func eachErrorHasItsKind(error: any Error & Sendable, kind: FailureKind) {
        #expect(SocketFailure.kind(of: error) == kind)
    }

    @Test func aFailedResultIsDownWithTheTextAndTheKind() {
        let result = SocketFailure.result(IOError(errnoCode: ECONNREFUSED, reason: "connect"), timeout: .seconds(5))
        #expect(result == .failed(.refused, "connection refused"))
    }

    @Test func onlyFailuresOfReachingTheTargetAreTransportFailures() {
        #expect(FailureKind.allCases.filter(\.isTransport) == [.refused, .timeout, .nameResolution, .reset, .unreachable, .other])
    }
}

/// Reports name a URL's kind from its scheme; every registered kind's schemes must agree with its name.
struct CheckKindRegistryTests {
    @Test func everySchemeNamesItsKind() {
        for kind in CheckKinds.all {
            for scheme in kind.schemes {
                #expect([kind.name, .tls].contains(CheckKindName(scheme: scheme)), "\(scheme)")
                #expect(CheckKinds.kind(forScheme: scheme.uppercased())?.name == kind.name)
            }
        }
        #expect(CheckKindName(scheme: "HTTPS") == .http)
        #expect(CheckKinds.kind(forScheme: "http") == nil)
        #expect(CheckKinds.schemes == ["http", "https", "tcp", "tls", "dns", "dns+tcp"])
    }
}
