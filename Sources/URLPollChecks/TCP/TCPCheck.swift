import Foundation
import LeanHTTP
import NIOCore
import NIOPosix
import NIOSSL
import URLPollCore
import URLPollProbes

/// A `tcp://host:port` check: up when a connection opens, and, with `expect:`, when the first bytes the
/// server sends (after `send:`, if given) match the expression within the timeout. With `tls`
/// (`tls://host:port`, or `tls: true`) a TLS handshake comes first, verified as https URLs are, with the
/// URL's TLS settings; its version and the certificate's expiry are reported.
///
/// Runs on the event loop of the poller's thread when there is one (the lean client's pollers run on
/// event loops), else on one of SwiftNIO's shared loops; a name is resolved off the loop
/// (``HostResolver``). Every connection is new and closed after the poll. Connecting and the handshake
/// are bounded by the connect timeout, the whole poll by the deadline.
package struct TCPCheck: CheckSpec, Equatable {
    package let host: String
    package let port: Int
    /// Bytes written once connected (`send:`), or `nil`.
    package let send: [UInt8]?
    /// What the answer must match (`expect:`), or `nil` to be up once connected.
    package let expect: BodyPattern?
    /// Whether a TLS handshake comes first.
    package let tls: Bool
    /// The protocol that asks for TLS on the plain connection first (`starttls: smtp`), if any.
    package let startTLS: StartTLS?

    /// The protocols whose upgrade to TLS a check can make.
    package enum StartTLS: String, Sendable, Equatable {
        /// EHLO, then STARTTLS (RFC 3207).
        case smtp
    }

    /// `tls` for `tls://` URLs, `tcp` for `tcp://` ones (with or without `tls: true`): as the scheme says,
    /// which is what reports show.
    package let kind: CheckKindName
    package var expectation: String { expect?.description ?? (tls ? "handshake" : "connect") }
    package var settingsDescription: [String] {
        (startTLS.map { ["STARTTLS (\($0.rawValue))"] } ?? []) + (send.map { ["sends \(Excerpt.quoted(TCPExpectation.escaped($0)))"] } ?? [])
    }

    package init(
        host: String,
        port: Int,
        send: [UInt8]? = nil,
        expect: BodyPattern? = nil,
        tls: Bool = false,
        startTLS: StartTLS? = nil,
        kind: CheckKindName? = nil
    ) {
        self.kind = kind ?? (tls && startTLS == nil ? .tls : .tcp)
        self.startTLS = startTLS
        self.host = host
        self.port = port
        self.send = send
        self.expect = expect
        self.tls = tls
    }

    package func run(_ context: CheckContext) async -> CheckResult {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let start = NIODeadline.now()
        let connectTimeout = min(TimeAmount(context.connectTimeout), context.deadline - start)
        guard connectTimeout > .zero else {
            return .failed(.timeout, "timed out after \(DurationFormat.format(context.timeout))")
        }
        let security: (context: NIOSSLContext, serverName: String?)?
        do {
            security = tls ? try Self.security(for: host, context) : nil
        } catch {
            return .failed(.tls, "TLS error: \(error)")
        }
        // The answer is read from the moment the connection opens (a banner may come before anything is
        // sent), by a handler that settles `answered` on the loop; `handshaken` settles with the handshake.
        let answered = loop.makePromise(of: CheckResult.self)
        let handshaken = loop.makePromise(of: TLSHandshake.self)
        let upgraded = loop.makePromise(of: CheckResult?.self)
        let (expect, deadline, timeout, startTLS) = (self.expect, context.deadline, context.timeout, self.startTLS)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let security, startTLS != nil {
                        // The TLS handler goes first once the server has agreed (SMTPStartTLSHandler).
                        try pipeline.addHandler(HandshakeWatcher(handshaken))
                        try pipeline.addHandler(
                            SMTPStartTLSHandler(upgraded: upgraded, context: security.context, serverName: security.serverName, timeout: timeout)
                        )
                    } else if let security {
                        try pipeline.addHandler(try NIOSSLClientHandler(context: security.context, serverHostname: security.serverName))
                        try pipeline.addHandler(HandshakeWatcher(handshaken))
                    }
                    guard let expect else { return }
                    try pipeline.addHandler(ExpectHandler(TCPExpectation(expect), answered: answered, deadline: deadline, timeout: timeout))
                }
            }
        let channel: any Channel
        var resolver: HostResolver?
        do {
            if let address = try? SocketAddress(ipAddress: host, port: port) {
                channel = try await bootstrap.connect(to: address).get()
            } else {
                let named = HostResolver(loop: loop, version: LeanHTTP.IPVersion(context.ipVersion))
                resolver = named
                channel = try await bootstrap.resolver(named).connect(host: host, port: port).get()
            }
        } catch {
            let dns = resolver?.resolvedAt.map { Duration($0 - start) }
            let failed = SocketFailure.result(error, timeout: context.timeout, phases: PollPhases(dns: dns))
            answered.succeed(failed)
            handshaken.fail(error)
            upgraded.succeed(failed)
            return failed
        }
        let connectedAt = NIODeadline.now()
        let resolvedAt = resolver?.resolvedAt
        var phases = PollPhases(dns: resolvedAt.map { Duration($0 - start) }, connect: Duration(connectedAt - (resolvedAt ?? start)))
        var result = CheckResult(health: .up, status: "connected")
        var handshake: TLSHandshake?
        if startTLS != nil {
            // The SMTP exchange is bounded by the poll's deadline, and the handshake after it too.
            let limit = channel.eventLoop.scheduleTask(deadline: context.deadline) {
                upgraded.succeed(.failed(.timeout, "timed out after \(DurationFormat.format(timeout)) in the SMTP exchange"))
            }
            if let failed = try? await upgraded.futureResult.get() { result = failed }
            limit.cancel()
        } else {
            upgraded.succeed(nil)
        }
        if tls, result.health == .up {
            let handshakeDeadline = startTLS == nil ? min(context.deadline, start + TimeAmount(context.connectTimeout)) : context.deadline
            let limit = channel.eventLoop.scheduleTask(deadline: handshakeDeadline) {
                handshaken.fail(handshakeDeadline < context.deadline ? ConnectionFailure.handshakeTimedOut : ConnectionFailure.timedOut)
            }
            do {
                handshake = try await handshaken.futureResult.get()
                phases[.tls] = Duration(NIODeadline.now() - connectedAt)
            } catch {
                result = SocketFailure.result(error, timeout: context.timeout)
            }
            limit.cancel()
        } else {
            handshaken.succeed(TLSHandshake(version: nil, certificateExpiry: nil))
        }
        if let send, result.health == .up {
            do {
                try await channel.writeAndFlush(ByteBuffer(bytes: send)).get()
            } catch {
                result = SocketFailure.result(error, timeout: context.timeout)
            }
        }
        if expect != nil, result.failure == nil {
            let exchangeStart = NIODeadline.now()
            result = (try? await answered.futureResult.get()) ?? result
            phases[.ttfb] = Duration(NIODeadline.now() - exchangeStart)
        }
        answered.succeed(result)
        if let handshake {
            if result.health == .up { result.status = handshake.status(result.status, now: Date()) }
            result.certificateExpiry = handshake.certificateExpiry
        }
        result.phases = phases
        result.remoteAddress = channel.remoteAddress?.ipAddress
        try? await channel.close()
        return result
    }

    /// The TLS context and the name sent in SNI (and verified): the URL's prepared settings, or the
    /// defaults (verifying, unless `insecure-tls`); the name is the `server-name`, else the host unless it
    /// is an address.
    ///
    /// - Throws: when the default context cannot be created (no usable trust store).
    static func security(for host: String, _ context: CheckContext) throws -> (context: NIOSSLContext, serverName: String?) {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        if let prepared = context.tls as? PreparedTLSContext {
            return (prepared.profile.context, prepared.profile.serverName ?? (isAddress ? nil : host))
        }
        return (try LeanHTTPClient.sharedTLSContext(verifying: !context.insecureTLS), isAddress ? nil : host)
    }

    package static func == (lhs: TCPCheck, rhs: TCPCheck) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.send == rhs.send && lhs.expect == rhs.expect && lhs.tls == rhs.tls
            && lhs.startTLS == rhs.startTLS && lhs.kind == rhs.kind
    }
}

extension Duration {
    /// A SwiftNIO time amount as a duration.
    init(_ amount: TimeAmount) {
        self = .nanoseconds(amount.nanoseconds)
    }
}
