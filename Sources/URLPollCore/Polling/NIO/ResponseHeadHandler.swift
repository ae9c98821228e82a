import NIOCore
import NIOHTTP1

/// A request handed to a connection: the head to send and the promise of the response head.
struct PendingRequest: Sendable {
    let head: HTTPRequestHead
    let response: EventLoopPromise<HTTPResponseHead>
}

/// Why a connection gave no response.
enum ConnectionFailure: Error, Equatable {
    /// The server closed the connection before the response was complete.
    case closedBeforeResponse
    /// The poll's deadline passed.
    case timedOut
}

/// The last handler of a probe connection: sends one request at a time and completes its promise with
/// the final response head once the whole response (head, discarded body, end) has arrived.
///
/// Lives on the channel's event loop, like every `ChannelHandler`; other threads reach it only by writing
/// a ``PendingRequest`` to the channel.
final class ResponseHeadHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPResponseHead>?
    private var head: HTTPResponseHead?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending = request.response
        head = nil
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            // 1xx responses (other than 101) are interim; the final head follows.
            if responseHead.status.code >= 200 || responseHead.status.code == 101 { head = responseHead }
        case .body:
            break
        case .end:
            if let head, let promise = pending {
                pending = nil
                self.head = nil
                promise.succeed(head)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ConnectionFailure.closedBeforeResponse)
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error) {
        if let promise = pending {
            pending = nil
            promise.fail(error)
        }
    }
}
