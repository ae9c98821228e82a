import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An https server on 127.0.0.1 with a self-signed certificate made for the test (valid for
/// `validFor` from now), answering `200 ok` to every request.
struct TLSTarget {
    let port: Int
    /// The certificate's expiry, to the second (as certificates store it).
    let notValidAfter: Date

    var url: String { "https://127.0.0.1:\(port)/" }

    static func with<T: Sendable>(validFor: TimeInterval, _ body: (TLSTarget) async throws -> T) async throws -> T {
        let certificate = try TestCertificate(validFor: validFor)
        let notValidAfter = certificate.notValidAfter
        return try await serve(context: try certificate.serverContext()) { port in
            try await body(TLSTarget(port: port, notValidAfter: notValidAfter))
        }
    }

    /// Serves `200 ok` over https with `context` on 127.0.0.1 (an ephemeral port) for the duration of `body`.
    static func serve<T: Sendable>(context: NIOSSLContext, _ body: (_ port: Int) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(OKResponder())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body(server.localAddress?.port ?? 0)
            try? await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }
}

/// Answers every request with `200 ok`, keeping the connection open.
private final class OKResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "2"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
