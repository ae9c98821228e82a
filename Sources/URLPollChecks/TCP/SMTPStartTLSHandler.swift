import NIOCore
import NIOSSL
import URLPollCore
import URLPollProbes

/// Upgrades an SMTP connection to TLS (RFC 3207): waits for the greeting (220), says EHLO, checks that
/// STARTTLS is offered, asks for it, and on its 220 puts a TLS handler first in the pipeline and removes
/// itself. Settles `upgraded` once: `nil` when the handshake has begun, else the failed result (what the
/// server said, bounded). Lives on the channel's event loop; the deadline is the caller's.
final class SMTPStartTLSHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Step { case greeting, hello, startTLS, done }

    private var step = Step.greeting
    private var replies = SMTPReplies()
    private let upgraded: EventLoopPromise<CheckResult?>
    private let context: NIOSSLContext
    private let serverName: String?
    private let timeout: Duration

    init(upgraded: EventLoopPromise<CheckResult?>, context: NIOSSLContext, serverName: String?, timeout: Duration) {
        self.upgraded = upgraded
        self.context = context
        self.serverName = serverName
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard step != .done else { return context.fireChannelRead(data) }
        let received: [SMTPReplies.Reply]
        do {
            received = try replies.receive(unwrapInboundIn(data).readableBytesView)
        } catch {
            return fail(.invalidAnswer, error.description, context)
        }
        for reply in received { advance(reply, context) }
    }

    private func advance(_ reply: SMTPReplies.Reply, _ context: ChannelHandlerContext) {
        switch step {
        case .greeting:
            guard reply.code == 220 else { return fail(.unexpectedAnswer, "the SMTP server greets with \(Excerpt.quoted(reply.summary))", context) }
            step = .hello
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "EHLO urlpoll\r\n")), promise: nil)
        case .hello:
            guard reply.code == 250 else { return fail(.unexpectedAnswer, "EHLO was answered \(Excerpt.quoted(reply.summary))", context) }
            guard reply.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                return fail(.unexpectedAnswer, "the SMTP server does not offer STARTTLS", context)
            }
            step = .startTLS
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "STARTTLS\r\n")), promise: nil)
        case .startTLS:
            guard reply.code == 220 else { return fail(.unexpectedAnswer, "STARTTLS was answered \(Excerpt.quoted(reply.summary))", context) }
            step = .done
            do {
                let tls = try NIOSSLClientHandler(context: self.context, serverHostname: serverName)
                try context.pipeline.syncOperations.addHandler(tls, position: .first)
                upgraded.succeed(nil)
                context.pipeline.syncOperations.removeHandler(self, promise: nil)
            } catch {
                fail(.tls, "TLS error: \(error)", context)
            }
        case .done:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if step != .done { upgraded.succeed(.failed(.reset, "connection closed by server during the SMTP exchange")) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard step != .done else { return context.fireErrorCaught(error) }
        fail(SocketFailure.kind(of: error), FailureDescription.describe(error, timeout: timeout), context)
    }

    private func fail(_ kind: FailureKind, _ status: String, _ context: ChannelHandlerContext) {
        step = .done
        upgraded.succeed(.failed(kind, status))
        context.close(promise: nil)
    }
}
