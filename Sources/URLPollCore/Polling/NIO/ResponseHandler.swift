import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOTLS

/// A request handed to a connection: the head to send, when to give up, how much body to keep, and the
/// promise of the answer.
struct PendingRequest: Sendable {
    let head: HTTPRequestHead
    let deadline: NIODeadline
    /// Body bytes to keep; 0 keeps none.
    let bodyLimit: Int
    let response: EventLoopPromise<ConnectionResponse>
}

/// What a connection answered, and whether it can carry another request.
struct ConnectionResponse: Sendable {
    let exchange: ProbeExchange
    let isReusable: Bool
}

/// Why a connection gave no response.
enum ConnectionFailure: Error, Equatable {
    /// The server closed the connection before the response was complete.
    case closedBeforeResponse
    /// The poll's deadline passed.
    case timedOut
    /// The TLS handshake did not end within the connect timeout.
    case handshakeTimedOut
}

/// The last handler of a probe connection: sends one request at a time and completes its promise with
/// the final response, or fails it (and closes the connection) when the request's deadline passes, the
/// write fails, the server closes the connection or sends something that is not HTTP.
///
/// Bodies never grow memory without bound: a HEAD answer has none; a GET keeps at most the request's
/// `bodyLimit` bytes (the connection is closed once the limit is passed); a GET that keeps nothing
/// skips a body of at most ``ProbeRequest/drainLimit`` bytes to keep the connection, and closes it at the head
/// otherwise. The deadline covers the body too, so a slow or endless body ends the poll on time.
///
/// Lives on the channel's event loop, like every `ChannelHandler`; other threads reach it only by writing
/// a ``PendingRequest`` to the channel. Keeping the deadline timer here means a poll crosses threads only
/// twice: the request in, the response out.
final class ResponseHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private let readsCertificate: Bool
    /// Completed when the TLS handshake ends (failed with its error); `nil` for plain connections, and once completed.
    private var handshake: EventLoopPromise<Void>?
    private var certificateExpiry: Date?
    private var pending: PendingRequest?
    private var exchange: ProbeExchange?
    private var isKeepAlive = false
    private var body: [UInt8] = []
    private var timeout: Scheduled<Void>?

    /// - Parameter handshake: for a TLS connection, the promise to complete when the handshake ends;
    ///   each answer then carries the peer certificate's expiry (read once per connection).
    init(handshake: EventLoopPromise<Void>?) {
        self.readsCertificate = handshake != nil
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            handshake?.succeed()
            handshake = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending = request
        exchange = nil
        body = []
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: request.deadline) { [self] in
            fail(ConnectionFailure.timedOut)
            loopBoundContext.value.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenFailure { [self] error in
            fail(error)
            loopBoundContext.value.close(promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let request = pending else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // 1xx responses (other than 101) are interim; the final head follows.
            guard head.status.code >= 200 || head.status.code == 101 else { return }
            var exchange = ProbeExchange(
                code: Int(head.status.code),
                reason: head.status.reasonPhrase,
                location: head.headers.first(name: "location")
            )
            exchange.certificateExpiry = peerCertificateExpiry(context)
            self.exchange = exchange
            isKeepAlive = head.isKeepAlive
            if request.head.method == .GET, request.bodyLimit == 0, !Self.isShort(head) {
                finish(exchange, reusable: false, context: context)
            }
        case .body(let part):
            guard var exchange, request.bodyLimit > 0 else { return }
            let room = request.bodyLimit - body.count
            body += part.readableBytesView.prefix(room)
            if part.readableBytes > room {
                exchange.body = body
                exchange.bodyTruncated = true
                finish(exchange, reusable: false, context: context)
            }
        case .end:
            guard var exchange else { return }
            exchange.body = body
            finish(exchange, reusable: isKeepAlive, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handshake?.fail(error)
        handshake = nil
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake?.fail(ConnectionFailure.closedBeforeResponse)
        handshake = nil
        fail(ConnectionFailure.closedBeforeResponse)
        context.fireChannelInactive()
    }

    /// Whether the response announces a body short enough to skip rather than close the connection.
    private static func isShort(_ head: HTTPResponseHead) -> Bool {
        guard let length = head.headers.first(name: "content-length").flatMap(Int.init) else { return false }
        return length <= ProbeRequest.drainLimit
    }

    private func finish(_ exchange: ProbeExchange, reusable: Bool, context: ChannelHandlerContext) {
        guard let request = pending else { return }
        pending = nil
        self.exchange = nil
        body = []
        timeout?.cancel()
        timeout = nil
        if !reusable { context.close(promise: nil) }
        request.response.succeed(ConnectionResponse(exchange: exchange, isReusable: reusable))
    }

    private func fail(_ error: any Error) {
        timeout?.cancel()
        timeout = nil
        exchange = nil
        body = []
        if let request = pending {
            pending = nil
            request.response.fail(error)
        }
    }

    private func peerCertificateExpiry(_ context: ChannelHandlerContext) -> Date? {
        guard readsCertificate else { return nil }
        if certificateExpiry == nil,
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate
        {
            certificateExpiry = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        }
        return certificateExpiry
    }
}
