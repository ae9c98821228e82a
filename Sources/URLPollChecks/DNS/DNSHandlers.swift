import NIOCore
import URLPollCore
import URLPollProbes

/// A query waiting for its answer, on one channel's event loop: what both transports share. Settles
/// `ended` once, with the answer, an unreadable message, a failure, or the deadline (counting the
/// messages it ignored: another ID, another question).
final class DNSAnswerWait {
    let query: DNSQuery
    private let ended: EventLoopPromise<DNSEnding>
    private let deadline: NIODeadline
    private let timeout: Duration
    private var ignored = 0
    private var timer: Scheduled<Void>?

    init(_ query: DNSQuery, ended: EventLoopPromise<DNSEnding>, deadline: NIODeadline, timeout: Duration) {
        self.query = query
        self.ended = ended
        self.deadline = deadline
        self.timeout = timeout
    }

    /// Starts the deadline, when the channel is active.
    func arm(on loop: any EventLoop) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(deadline: deadline) {
            let wait = bound.value
            wait.settle(.timedOut(limit: wait.timeout, ignored: wait.ignored))
        }
    }

    /// Takes one message; returns whether it ended the wait (an answer, or one that cannot be read).
    func take(_ bytes: [UInt8]) -> Bool {
        switch DNSReply(bytes, to: query) {
        case .answer(let response): settle(.answered(response))
        case .unreadable(let error): settle(.unreadable(error))
        case .ignored:
            ignored += 1
            return false
        }
        return true
    }

    func fail(_ error: any Error) {
        settle(.failed(SocketFailure.kind(of: error), reason: FailureDescription.describe(error, timeout: timeout)))
    }

    func settle(_ ending: DNSEnding) {
        timer?.cancel()
        ended.succeed(ending)
    }
}

/// Reads the datagrams of a UDP query into its ``DNSAnswerWait`` (a port unreachable is a failure:
/// `connection refused`).
final class DNSDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let wait: DNSAnswerWait

    init(_ wait: DNSAnswerWait) {
        self.wait = wait
    }

    func channelActive(context: ChannelHandlerContext) {
        wait.arm(on: context.eventLoop)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        _ = wait.take(Array(unwrapInboundIn(data).data.readableBytesView))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { wait.fail(error) }

    func handlerRemoved(context: ChannelHandlerContext) { wait.settle(.failed(.other, reason: "the query was abandoned")) }
}

/// Reads a TCP query's answer into its ``DNSAnswerWait``: a two-byte length, then the message (at most
/// 65,535 bytes, as the length allows); the server closing first is a failure. Closes the connection
/// once the wait has ended.
final class DNSStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let wait: DNSAnswerWait
    private var received: [UInt8] = []

    init(_ wait: DNSAnswerWait) {
        self.wait = wait
    }

    func channelActive(context: ChannelHandlerContext) {
        wait.arm(on: context.eventLoop)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
        while received.count >= 2 {
            let length = Int(received[0]) << 8 | Int(received[1])
            guard received.count >= 2 + length else { return }
            let message = Array(received[2..<(2 + length)])
            received.removeFirst(2 + length)
            if wait.take(message) {
                context.close(promise: nil)
                return
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        wait.settle(.failed(.reset, reason: "connection closed by server before an answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        wait.fail(error)
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) { wait.settle(.failed(.other, reason: "the query was abandoned")) }
}
