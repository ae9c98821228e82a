import NIOCore
import URLPollCore
import URLPollProbes

/// Reads a TCP check's answer into its ``TCPExpectation`` and settles `answered` once the exchange
/// ends: a match, 64 KiB without one, the server closing, an error, or the poll's deadline (scheduled
/// when the connection opens). Lives on the channel's event loop; the promise is its only output, and
/// it closes the connection once it has settled.
final class ExpectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var expectation: TCPExpectation
    private let answered: EventLoopPromise<CheckResult>
    private let deadline: NIODeadline
    private let timeout: Duration
    private var timer: Scheduled<Void>?
    private var settled = false

    init(_ expectation: TCPExpectation, answered: EventLoopPromise<CheckResult>, deadline: NIODeadline, timeout: Duration) {
        self.expectation = expectation
        self.answered = answered
        self.deadline = deadline
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.settle(.timedOut(limit: handler.timeout), context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !settled else { return }
        let buffer = unwrapInboundIn(data)
        if let ending = expectation.receive(buffer.readableBytesView) { settle(ending, context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(.closed, context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settle(.failed(SocketFailure.kind(of: error), reason: FailureDescription.describe(error, timeout: timeout)), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        settle(.closed, context: nil)
    }

    /// Settles the promise once; closes the connection through `context` when there is one.
    private func settle(_ ending: TCPExpectation.Ending, context: ChannelHandlerContext?) {
        guard !settled else { return }
        settled = true
        timer?.cancel()
        answered.succeed(expectation.result(ending))
        context?.close(promise: nil)
    }
}
