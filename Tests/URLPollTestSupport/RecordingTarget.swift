import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP (or, with `tls`, https with a self-signed certificate) server on a loopback address of the
/// test's choosing (`127.0.0.1`, `127.0.0.2`, `::1`, …), which records every request it receives (path
/// and headers) and answers from its redirect table: a path in it gets `302 Found` with that `Location`
/// (set before or while the server runs, with ``redirect(_:to:)``), every other path `200 OK`; a path
/// in ``Log/firstByteDelays`` is answered only after that delay.
struct RecordingTarget {
    /// One request as the server saw it.
    struct Seen: Sendable {
        let path: String
        let headers: [(name: String, value: String)]
        var method = "GET"
        var body: [UInt8] = []

        /// The value of the header `name` (case-insensitive), if sent.
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// The requests seen so far and the redirect table; shared by the server's connections.
    final class Log: Sendable {
        private let seen = Mutex<[Seen]>([])
        private let accepted = Mutex(0)
        /// Connections the server accepted so far.
        var connections: Int { accepted.withLock { $0 } }
        func connectionAccepted() { accepted.withLock { $0 += 1 } }
        fileprivate let redirects = Mutex<[String: String]>([:])
        /// The status of a redirect, by path (302 unless set).
        let redirectCodes = Mutex<[String: Int]>([:])
        /// How long the answer to a path waits before its first byte, by path (none unless set).
        let firstByteDelays = Mutex<[String: TimeAmount]>([:])
        func append(_ request: Seen) { seen.withLock { $0.append(request) } }
        var requests: [Seen] { seen.withLock { $0 } }
    }

    /// From now on, answers `path` with a redirect to `location`.
    func redirect(_ path: String, to location: String) {
        log.redirects.withLock { $0[path] = location }
    }

    let host: String
    let port: Int
    let isTLS: Bool
    let log: Log

    func url(_ path: String) -> String {
        "\(isTLS ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)"
    }

    /// Runs `body` with a live server, closed afterwards.
    static func with<T: Sendable>(
        host: String = "127.0.0.1",
        tls: Bool = false,
        redirects: [String: String] = [:],
        _ body: (RecordingTarget) async throws -> T
    ) async throws -> T {
        let log = Log()
        log.redirects.withLock { $0 = redirects }
        let context = tls ? try TestCertificate().serverContext() : nil
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                log.connectionAccepted()
                return channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(log: log))
                }
            }
            .bind(host: host, port: 0).get()
        let target = RecordingTarget(host: host, port: server.localAddress?.port ?? 0, isTLS: tls, log: log)
        do {
            let result = try await body(target)
            try? await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let log: Log
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(log: Log) {
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let request):
                head = request
                body = []
            case .body(let buffer):
                body += buffer.readableBytesView
            case .end:
                if let head {
                    var seen = Seen(path: head.uri, headers: head.headers.map { ($0.name, $0.value) })
                    seen.method = head.method.rawValue
                    seen.body = body
                    log.append(seen)
                }
                var headers: HTTPHeaders = ["Content-Length": "0"]
                let location = head.flatMap { head in log.redirects.withLock { $0[head.uri] } }
                if let location { headers.add(name: "Location", value: location) }
                let code = head.flatMap { head in log.redirectCodes.withLock { $0[head.uri] } } ?? 302
                let response = HTTPResponseHead(version: .http1_1, status: location == nil ? .ok : .init(statusCode: code), headers: headers)
                let delay = head.flatMap { head in log.firstByteDelays.withLock { $0[head.uri] } }
                guard let delay else {
                    context.write(wrapOutboundOut(.head(response)), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                    return
                }
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) {
                    let (handler, context) = bound.value
                    context.write(handler.wrapOutboundOut(.head(response)), promise: nil)
                    context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}
