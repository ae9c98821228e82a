import NIOCore
import NIOPosix
import Synchronization

/// A UDP server on 127.0.0.1 that answers each query as its script says: nothing, a message made from
/// the query's bytes, or several. For the DNS check's hostile cases (never answers, wrong ID, answers
/// twice, a compression loop).
package final class HostileDNSServer: Sendable {
    package let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Runs `body` with a server that answers each query with `script(query)`.
    package static func with<T: Sendable>(
        _ script: @escaping @Sendable ([UInt8]) -> [[UInt8]],
        _ body: (HostileDNSServer) async throws -> T
    ) async throws -> T {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Responder(script)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = HostileDNSServer(port: channel.localAddress?.port ?? 0, channel: channel)
        do {
            let result = try await body(server)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let script: @Sendable ([UInt8]) -> [[UInt8]]

        init(_ script: @escaping @Sendable ([UInt8]) -> [[UInt8]]) {
            self.script = script
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            for message in script(Array(envelope.data.readableBytesView)) {
                let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: message))
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            }
        }
    }
}
