import NIOCore
import NIOHTTP1

/// A request handed to a connection: the head to send, when to give up, and the promise of the response head.
struct PendingRequest: Sendable {
    let head: HTTPRequestHead
    let deadline: NIODeadline
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
/// the final response head once the whole response (head, discarded body, end) has arrived, or fails it
/// (and closes the connection) when the request's deadline passes, the write fails, the server closes
/// the connection or sends something that is not HTTP.
///
/// Lives on the channel's event loop, like every `ChannelHandler`; other threads reach it only by writing
/// a ``PendingRequest`` to the channel. Keeping the deadline timer here means a poll crosses threads only
/// twice: the request in, the response head out.
final class ResponseHeadHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPResponseHead>?
    private var head: HTTPResponseHead?
    private var timeout: Scheduled<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending = request.response
        head = nil
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
                timeout?.cancel()
                timeout = nil
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
        timeout?.cancel()
        timeout = nil
        if let promise = pending {
            pending = nil
            promise.fail(error)
        }
    }
}
