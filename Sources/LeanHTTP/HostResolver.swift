import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves one host name for one connection attempt: a single `getaddrinfo` for both address families
/// (answering only with those the ``IPVersion`` allows), run on NIO's shared blocking-work thread pool, never on an event
/// loop. Remembers when the answer came (``resolvedAt``), for the DNS phase of ``ExchangeTiming``.
///
/// Made for one `ClientBootstrap.connect(host:port:)`, as NIO's own resolver is; Happy Eyeballs asks it
/// for AAAA and A records and races the addresses. Public for the other kinds of check, which connect
/// the same way. Thread-safe: the answer is delivered through the
/// loop's promises and the time through an atomic.
public final class HostResolver: Resolver, Sendable {
    private let loop: any EventLoop
    private let version: IPVersion
    private let v4: EventLoopPromise<[SocketAddress]>
    private let v6: EventLoopPromise<[SocketAddress]>
    private let resolvedNanoseconds = Atomic<UInt64>(0)

    /// A resolver for one connection on `loop`, answering with the addresses `version` allows.
    public init(loop: any EventLoop, version: IPVersion) {
        self.loop = loop
        self.version = version
        v4 = loop.makePromise()
        v6 = loop.makePromise()
    }

    /// When the lookup answered (or failed); `nil` before.
    public var resolvedAt: NIODeadline? {
        let nanoseconds = resolvedNanoseconds.load(ordering: .acquiring)
        return nanoseconds == 0 ? nil : NIODeadline.uptimeNanoseconds(nanoseconds)
    }

    public func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        v4.futureResult
    }

    /// Starts the one lookup (Happy Eyeballs asks for AAAA first); it answers both queries.
    public func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        let version = self.version
        NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
            try Self.lookUp(host: host, port: port)
        }.whenComplete { result in
            self.resolvedNanoseconds.store(NIODeadline.now().uptimeNanoseconds, ordering: .releasing)
            switch result {
            case .success(let (v4, v6)):
                // Both families are looked up, so that a host without an address of the version asked
                // for fails as "no IPv6 address for …", not as an unknown name.
                switch version {
                case .any:
                    self.v6.succeed(v6)
                    self.v4.succeed(v4)
                case .v6:
                    v6.isEmpty ? self.v6.fail(NoAddressOfVersion(host: host, version: .v6)) : self.v6.succeed(v6)
                    self.v4.succeed([])
                case .v4:
                    self.v6.succeed([])
                    v4.isEmpty ? self.v4.fail(NoAddressOfVersion(host: host, version: .v4)) : self.v4.succeed(v4)
                }
            case .failure(let error):
                self.v6.fail(error)
                self.v4.fail(error)
            }
        }
        return v6.futureResult
    }

    public func cancelQueries() {}

    /// The host's addresses by family, as `getaddrinfo` orders them.
    ///
    /// - Throws: ``HostNotFound`` when the name does not resolve.
    static func lookUp(host: String, port: Int) throws -> (v4: [SocketAddress], v6: [SocketAddress]) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HostNotFound(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var v4: [SocketAddress] = []
        var v6: [SocketAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if let address = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4.append(SocketAddress($0.pointee, host: host)) }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6.append(SocketAddress($0.pointee, host: host)) }
                default:
                    break
                }
            }
            next = info.pointee.ai_next
        }
        return (v4, v6)
    }
}
