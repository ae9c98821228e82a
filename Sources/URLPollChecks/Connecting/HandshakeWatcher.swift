import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// What a finished TLS handshake agreed on.
package struct TLSHandshake: Sendable, Equatable {
    package var version: TLSVersion?
    /// When the server's (leaf) certificate expires.
    package var certificateExpiry: Date?

    package init(version: TLSVersion?, certificateExpiry: Date?) {
        self.version = version
        self.certificateExpiry = certificateExpiry
    }

    /// `connected, TLS 1.3, certificate expires in 41d` (or `expired`, or `… in 5h` within a day): what an
    /// exchange that went well says of its handshake. Pure: `now` is given.
    package func status(_ answer: String, now: Date) -> String {
        var text = answer
        if let version { text += ", TLS \(Self.name(version))" }
        if let expiry = certificateExpiry {
            let left = expiry.timeIntervalSince(now)
            if left <= 0 {
                text += ", certificate expired"
            } else if left < 86_400 {
                text += ", certificate expires in \(max(1, Int(left / 3_600)))h"
            } else {
                text += ", certificate expires in \(Int(left / 86_400))d"
            }
        }
        return text
    }

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "1.0"
        case .tlsv11: "1.1"
        case .tlsv12: "1.2"
        case .tlsv13: "1.3"
        }
    }
}

/// The connection closed before its TLS handshake ended.
package struct HandshakeInterrupted: Error, CustomStringConvertible {
    package var description: String { "connection closed during the TLS handshake" }
}

/// Settles `handshaken` when its channel's TLS handshake ends: with the version and the certificate's
/// expiry, or with the error that ended it (an interrupted connection included). Sits right after the
/// `NIOSSLClientHandler` and passes everything on. Lives on the channel's event loop.
final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let handshaken: EventLoopPromise<TLSHandshake>

    init(_ handshaken: EventLoopPromise<TLSHandshake>) {
        self.handshaken = handshaken
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            let expiry = tls?.peerCertificate.map { Date(timeIntervalSince1970: TimeInterval($0.notValidAfter)) }
            handshaken.succeed(TLSHandshake(version: tls?.tlsVersion, certificateExpiry: expiry))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handshaken.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshaken.fail(HandshakeInterrupted())
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshaken.fail(HandshakeInterrupted())
    }
}
