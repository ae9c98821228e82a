import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// A request handed to a connection: the head to send, when to give up, how much body to keep, and who
/// waits for the answer.
struct PendingRequest: Sendable {
    let head: RequestHead
    let deadline: NIODeadline
    /// Body bytes to keep; 0 keeps none.
    let bodyLimit: Int
    /// The longest body skipped to keep the connection when none is kept.
    let drainLimit: Int
    let response: CheckedContinuation<ConnectionResponse, any Error>
}

/// A connection that can carry requests: its handler, and when TCP connected and TLS finished.
struct ConnectionReady: Sendable {
    let handler: NIOLoopBound<ResponseHandler>
    let connectedAt: NIODeadline
    /// When the TLS handshake ended; `nil` for http.
    let handshakeEndedAt: NIODeadline?
}

/// What a connection answered, and whether it can carry another request.
struct ConnectionResponse: Sendable {
    let exchange: LeanHTTPResponse
    let isReusable: Bool
}

/// The HTTP/1.1 end of a client connection (the only handler after TLS): writes one request at a time
/// (``send(_:)``) and resumes its continuation with the final response, or with an error (closing the
/// connection) when the request's deadline passes, the server closes the connection or sends something
/// that is not HTTP (``HTTPResponseParser``).
///
/// Bodies never grow memory without bound: a HEAD answer has none; a GET keeps at most the request's
/// `bodyLimit` bytes (the connection is closed once the limit is passed); a GET that keeps nothing
/// skips a body of at most ``LeanHTTPRequest/drainLimit`` bytes to keep the connection, and closes it at the
/// head otherwise. The deadline covers the body too, so a slow or endless body ends the poll on time.
///
/// Lives on the channel's event loop, like every `ChannelHandler`: ``send(_:)`` is called there (the
/// session reaches it through a `NIOLoopBound`). Every request is answered exactly once.
final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Succeeded with this handler once the connection can carry requests (for TLS, when the handshake
    /// is done); failed if it closes first. `nil` once completed.
    private var ready: EventLoopPromise<ConnectionReady>?
    private var connectedAt: NIODeadline?
    private let readsCertificate: Bool
    private var certificateExpiry: Date?
    private var context: ChannelHandlerContext?
    private var isOpen = true
    private var pending: PendingRequest?
    private var parser = HTTPResponseParser(isResponseToHEAD: true)
    /// Bytes received but not parsed yet (an incomplete head or chunk line).
    private var unparsed: ByteBuffer?
    private var exchange: LeanHTTPResponse?
    /// When the pending request was written, and when its first response byte came.
    private var sentAt = NIODeadline.uptimeNanoseconds(0)
    private var firstByteAt: NIODeadline?
    private var isKeepAlive = false
    private var body: [UInt8] = []
    /// The deadline timer: armed for the earliest deadline of a request sent since it last rang, and
    /// re-armed when it rings for a request whose deadline is later (so that a busy connection sets
    /// one timer per timeout period, not one per request).
    private var timer: (scheduled: Scheduled<Void>, deadline: NIODeadline)?
    /// Reused for every request head (written out before the next request is sent).
    private var outbound: ByteBuffer?

    /// - Parameters:
    ///   - ready: completed when the connection can carry requests.
    ///   - isTLS: whether a TLS handler precedes this one; `ready` then waits for the handshake, and
    ///     each answer carries the peer certificate's expiry (read once per connection).
    init(ready: EventLoopPromise<ConnectionReady>, isTLS: Bool) {
        self.ready = ready
        self.readsCertificate = isTLS
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        connectedAt = .now()
        if !readsCertificate { becomeReady(context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { becomeReady(context) }
        context.fireUserInboundEventTriggered(event)
    }

    /// Writes `request` and answers its continuation when the response is complete. Call it on the
    /// channel's event loop, one request at a time.
    func send(_ request: PendingRequest) {
        guard let context, isOpen else {
            request.response.resume(throwing: ConnectionFailure.closedBeforeResponse)
            return
        }
        precondition(pending == nil, "a probe connection carries one request at a time")
        pending = request
        parser = HTTPResponseParser(isResponseToHEAD: request.head.method == .head)
        if timer.map({ $0.deadline > request.deadline }) ?? true {
            armTimer(for: request.deadline, context)
        }
        // Taken out of `outbound` first, so that `clear()` finds the storage unshared (NIO has written and
        // released the previous head by the time its answer came) and reuses it without a copy.
        var buffer = outbound ?? context.channel.allocator.buffer(capacity: 256)
        outbound = nil
        buffer.clear()
        request.head.write(into: &buffer)
        sentAt = .now()
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        outbound = buffer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard let request = pending else {
            // Bytes nobody asked for: the connection cannot be trusted with another request.
            context.close(promise: nil)
            return
        }
        if firstByteAt == nil { firstByteAt = .now() }
        if var earlier = unparsed {
            unparsed = nil
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        do {
            while pending != nil, let event = try parser.next(&bytes) {
                handle(event, request, leftover: bytes.readableBytes)
            }
        } catch {
            fail(error)
            return
        }
        if pending != nil && bytes.readableBytes > 0 { unparsed = bytes }
    }

    private func handle(_ event: HTTPResponseParser.Event, _ request: PendingRequest, leftover: Int) {
        switch event {
        case .head(let head):
            var exchange = LeanHTTPResponse(code: head.code, reason: head.reason, location: head.location)
            exchange.certificateExpiry = peerCertificateExpiry()
            self.exchange = exchange
            isKeepAlive = head.isKeepAlive
            let isShort = head.bodyLength.map { $0 <= request.drainLimit } ?? false
            if request.bodyLimit == 0 && !isShort {
                finish(exchange, reusable: false)
            }
        case .body(let part):
            guard var exchange, request.bodyLimit > 0 else { return }
            let room = request.bodyLimit - body.count
            body += part.readableBytesView.prefix(room)
            if part.readableBytes > room {
                exchange.body = body
                exchange.bodyTruncated = true
                finish(exchange, reusable: false)
            }
        case .end:
            guard var exchange else { return }
            exchange.body = body
            // Bytes after the response answer no request: the connection is out of step.
            finish(exchange, reusable: isKeepAlive && leftover == 0)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ready?.fail(error)
        ready = nil
        fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        timer?.scheduled.cancel()
        timer = nil
        ready?.fail(ConnectionFailure.closedBeforeResponse)
        ready = nil
        if pending != nil, case .end = parser.connectionClosed(), var exchange {
            exchange.body = body
            finish(exchange, reusable: false)
        }
        fail(ConnectionFailure.closedBeforeResponse)
        context.fireChannelInactive()
    }

    private func armTimer(for deadline: NIODeadline, _ context: ChannelHandlerContext) {
        timer?.scheduled.cancel()
        let scheduled = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let pending, let context = self.context else { return }
            if pending.deadline <= .now() {
                fail(exchange == nil ? ConnectionFailure.timedOut : ConnectionFailure.timedOutInBody)
            } else {
                armTimer(for: pending.deadline, context)
            }
        }
        timer = (scheduled, deadline)
    }

    private func becomeReady(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        ready?.succeed(
            ConnectionReady(
                handler: NIOLoopBound(self, eventLoop: context.eventLoop),
                connectedAt: connectedAt ?? now,
                handshakeEndedAt: readsCertificate ? now : nil
            )
        )
        ready = nil
    }

    /// Answers the pending request; the connection is closed unless it is `reusable`.
    private func finish(_ exchange: LeanHTTPResponse, reusable: Bool) {
        guard let request = pending else { return }
        var exchange = exchange
        if let firstByteAt {
            exchange.timing.firstByte = firstByteAt - sentAt
            exchange.timing.transfer = .now() - firstByteAt
        }
        reset()
        if !reusable { context?.close(promise: nil) }
        request.response.resume(returning: ConnectionResponse(exchange: exchange, isReusable: reusable))
    }

    /// Fails the pending request, if any, and closes the connection.
    private func fail(_ error: any Error) {
        guard let request = pending else { return }
        reset()
        context?.close(promise: nil)
        request.response.resume(throwing: error)
    }

    private func reset() {
        pending = nil
        exchange = nil
        unparsed = nil
        body = []
        firstByteAt = nil
    }

    private func peerCertificateExpiry() -> Date? {
        guard readsCertificate, let context else { return nil }
        if certificateExpiry == nil,
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate
        {
            certificateExpiry = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        }
        return certificateExpiry
    }
}
