import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A lean HTTP/1.1 client on SwiftNIO channels: single requests (no redirect followed), keep-alive
/// connections shared per event loop, strict response parsing (``HTTPResponseParser``), bounded bodies.
///
/// Each user of the client (a poller, say) sends through a ``LeanHTTPSession`` of its own. A session
/// made for an event loop (``makeSession(onLoop:)``) and used from that loop's executor
/// (``executor(forLoop:)``) shares the loop's idle connections with the other sessions there: they sit
/// in a ``ConnectionPool`` reachable only from the loop's thread, so no lock or actor stands between a
/// request and its socket, and a host gets about as many connections as it has requests in flight. A
/// session used elsewhere keeps a pool of its own.
///
/// The deadline bounds a whole request (connect, TLS, response, body); connecting alone (TCP and the
/// TLS handshake) is bounded by the request's connect timeout and never retried. A keep-alive connection
/// the server closed while idle is replaced once, transparently. For https, every answer carries the
/// leaf certificate's expiry, read once per connection; a TLS connection is reused for at most
/// ``Configuration/certificateRecheckInterval``, so that figure is never older than that. Sendable: it
/// holds only immutable settings, TLS contexts and loop-bound pools.
public struct LeanHTTPClient: Sendable {
    /// What the client is built with.
    public struct Configuration: Sendable, Equatable {
        /// The most idle connections kept per event loop (and per session that runs off the loops); the
        /// least recently used go first.
        public var idleConnectionsPerLoop: Int
        /// How long a TLS connection is reused before a new one (and a fresh look at the certificate).
        public var certificateRecheckInterval: Duration
        /// How long a connection may wait unused in a pool before it is closed.
        public var idleConnectionTimeout: Duration
        /// The `User-Agent` sent unless a request sets its own.
        public var userAgent: String

        public init(
            idleConnectionsPerLoop: Int = 2048,
            certificateRecheckInterval: Duration = .seconds(3600),
            idleConnectionTimeout: Duration = .seconds(90),
            userAgent: String = "LeanHTTP"
        ) {
            self.idleConnectionsPerLoop = idleConnectionsPerLoop
            self.certificateRecheckInterval = certificateRecheckInterval
            self.idleConnectionTimeout = idleConnectionTimeout
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    let group: any EventLoopGroup
    let tlsContext: NIOSSLContext
    let insecureTLSContext: NIOSSLContext
    /// One executor per event loop of the group.
    let executors: [EventLoopTaskExecutor]
    /// The idle connections of each event loop (index as in `executors`), closed when the last copy of
    /// this client and its sessions are gone.
    let pools: SharedPools

    /// - Throws: if the TLS context cannot be created (no usable system trust store).
    public init(configuration: Configuration = Configuration(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.configuration = configuration
        self.group = group
        (self.tlsContext, self.insecureTLSContext) = try Self.defaultContexts.get()
        self.executors = group.makeIterator().map(EventLoopTaskExecutor.init)
        self.pools = SharedPools(
            loops: executors.map(\.eventLoop),
            capacity: configuration.idleConnectionsPerLoop,
            idleTimeout: TimeAmount(configuration.idleConnectionTimeout)
        )
    }

    /// The two default TLS contexts (verifying with the system's roots, and not verifying), built once per
    /// process and shared by every client: building one parses the system's CA bundle (about 30 ms).
    static let defaultContexts = Result { () throws -> (NIOSSLContext, NIOSSLContext) in
        var verifying = TLSConfiguration.makeClientConfiguration()
        verifying.curves = keyExchangeGroups
        var insecure = verifying
        insecure.certificateVerification = .none
        return (try NIOSSLContext(configuration: verifying), try NIOSSLContext(configuration: insecure))
    }

    /// One of the two default TLS contexts, for connections of other protocols that verify (or do not) as
    /// the client's https connections do.
    ///
    /// - Throws: if the context cannot be created (no usable system trust store).
    public static func sharedTLSContext(verifying: Bool) throws -> NIOSSLContext {
        let (verifyingContext, insecureContext) = try defaultContexts.get()
        return verifying ? verifyingContext : insecureContext
    }

    /// The TLS key-exchange groups the client offers, most preferred first: X25519, P-256, P-384, without
    /// the post-quantum hybrid X25519MLKEM768 that BoringSSL offers by default. With the hybrid on its list,
    /// BoringSSL puts a post-quantum and a classical key share in every ClientHello, and generating the
    /// ML-KEM-768 key alone was 10–12 % of the CPU of a handshake poll (profile in BENCHMARKS.md), paid on
    /// every new connection for a key exchange that protects a health check's answer against a future
    /// quantum computer. Go's client, the reference, offers no hybrid either.
    public static let keyExchangeGroups: [NIOTLSCurve] = [.x25519, .secp256r1, .secp384r1]

    /// The number of event loops the client's connections live on.
    public var loopCount: Int { executors.count }

    /// The event loop `index` (modulo ``loopCount``).
    public func eventLoop(_ index: Int) -> any EventLoop {
        executors[index % executors.count].eventLoop
    }

    /// A session with a pool of its own, on the group's next loop (for one-off requests and tests).
    public func makeSession() -> LeanHTTPSession {
        LeanHTTPSession(client: self, eventLoop: group.next(), sharedPool: nil)
    }

    /// A session on event loop `index` (modulo ``loopCount``); while it is used from that loop's
    /// executor (``executor(forLoop:)``), it shares the loop's idle connections.
    public func makeSession(onLoop index: Int) -> LeanHTTPSession {
        let loop = index % executors.count
        return LeanHTTPSession(client: self, eventLoop: executors[loop].eventLoop, sharedPool: pools.boxes[loop])
    }

    /// The executor of event loop `index` (modulo ``loopCount``): a task that prefers it never changes
    /// threads during a request of a session on that loop.
    public func executor(forLoop index: Int) -> EventLoopTaskExecutor {
        executors[index % executors.count]
    }
}

/// The connection pools of a client's event loops. Sendable: it holds only loop-bound boxes.
final class SharedPools: Sendable {
    let boxes: [NIOLoopBoundBox<ConnectionPool>]

    init(loops: [any EventLoop], capacity: Int, idleTimeout: TimeAmount) {
        boxes = loops.map {
            NIOLoopBoundBox.makeBoxSendingValue(ConnectionPool(capacity: capacity, idleTimeout: idleTimeout), eventLoop: $0)
        }
    }

    deinit {
        for box in boxes { box.eventLoop.execute { box.value.closeAll() } }
    }
}
