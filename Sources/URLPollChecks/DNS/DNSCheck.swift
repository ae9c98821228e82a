import Foundation
import NIOCore
import NIOPosix
import URLPollCore
import URLPollProbes

/// A `dns://server[:port]/name?type=T` check: one query to the server, over UDP (TCP when the answer
/// is truncated, or always for `dns+tcp://`), judged by its ``DNSExpectation``.
///
/// Every query has a random ID and goes out from a new socket (a random source port); a message that
/// does not answer it (another ID, another question) is ignored, one that answers it but cannot be read
/// fails the check. Runs on the poller's event loop when there is one. Bounded by the deadline; a TCP
/// connection by the connect timeout too.
package struct DNSCheck: CheckSpec, Equatable {
    /// The server's address (an IP address).
    package let server: String
    package let port: Int
    package let name: String
    package let type: DNSRecordType
    package let overTCP: Bool
    package let expecting: DNSExpectation

    package var kind: CheckKindName { .dns }
    package var expectation: String {
        var parts = ["\(expecting.code)"]
        if expecting.fewestAnswers > 0 { parts.append("≥\(expecting.fewestAnswers) answers") }
        return parts.joined(separator: ", ")
    }
    package var settingsDescription: [String] {
        var parts = ["\(type.name) \(name) at \(server.contains(":") ? "[\(server)]" : server):\(port)\(overTCP ? " over TCP" : "")"]
        if !expecting.contains.isEmpty { parts.append("answers contain \(expecting.contains.joined(separator: ", "))") }
        if let matches = expecting.matches { parts.append("an answer matches \(matches)") }
        return parts
    }

    package init(
        server: String,
        port: Int = 53,
        name: String,
        type: DNSRecordType,
        overTCP: Bool = false,
        expecting: DNSExpectation = DNSExpectation()
    ) {
        self.server = server
        self.port = port
        self.name = name
        self.type = type
        self.overTCP = overTCP
        self.expecting = expecting
    }

    package func run(_ context: CheckContext) async -> CheckResult {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let query = DNSQuery(id: UInt16.random(in: 0...UInt16.max), name: name, type: type)
        let start = NIODeadline.now()
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: server, port: port)
        } catch {
            return .failed(.other, "\(server) is not an address")
        }
        var ending =
            overTCP ? await Self.overTCP(query, to: address, context, loop: loop) : await Self.overUDP(query, to: address, context, loop: loop)
        if case .answered(let response) = ending, response.isTruncated {
            ending = await Self.overTCP(query, to: address, context, loop: loop)
        }
        var result = ending.result(expecting)
        result.phases[.ttfb] = .nanoseconds((NIODeadline.now() - start).nanoseconds)
        result.remoteAddress = server
        return result
    }

    /// The ending a failed connection is; `ended` is settled with it (a promise must not be dropped unsettled).
    private static func failed(_ error: any Error, settling ended: EventLoopPromise<DNSEnding>, timeout: Duration) -> DNSEnding {
        let failed = DNSEnding.failed(SocketFailure.kind(of: error), reason: FailureDescription.describe(error, timeout: timeout))
        ended.succeed(failed)
        return failed
    }

    private static func overUDP(_ query: DNSQuery, to address: SocketAddress, _ context: CheckContext, loop: any EventLoop) async -> DNSEnding {
        let ended = loop.makePromise(of: DNSEnding.self)
        let (deadline, timeout) = (context.deadline, context.timeout)
        let bootstrap = DatagramBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    DNSDatagramHandler(DNSAnswerWait(query, ended: ended, deadline: deadline, timeout: timeout))
                )
            }
        }
        do {
            let channel = try await bootstrap.connect(to: address).get()
            channel.writeAndFlush(ByteBuffer(bytes: query.bytes), promise: nil)
            let ending = try await ended.futureResult.get()
            try? await channel.close()
            return ending
        } catch {
            return Self.failed(error, settling: ended, timeout: context.timeout)
        }
    }

    private static func overTCP(_ query: DNSQuery, to address: SocketAddress, _ context: CheckContext, loop: any EventLoop) async -> DNSEnding {
        let ended = loop.makePromise(of: DNSEnding.self)
        let (deadline, timeout) = (context.deadline, context.timeout)
        let connectTimeout = min(TimeAmount(context.connectTimeout), context.deadline - NIODeadline.now())
        guard connectTimeout > .zero else { return .timedOut(limit: context.timeout, ignored: 0) }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DNSStreamHandler(DNSAnswerWait(query, ended: ended, deadline: deadline, timeout: timeout))
                    )
                }
            }
        do {
            let channel = try await bootstrap.connect(to: address).get()
            let bytes = query.bytes
            channel.writeAndFlush(ByteBuffer(bytes: [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes), promise: nil)
            let ending = try await ended.futureResult.get()
            try? await channel.close()
            return ending
        } catch {
            return Self.failed(error, settling: ended, timeout: context.timeout)
        }
    }
}
