import Foundation
import NIOCore
import Testing

@testable import URLPollChecks
@testable import URLPollCore
@testable import URLPollTestSupport

/// The TCP check against real servers on loopback: a throwaway Redis (a real text protocol), a port
/// nothing listens on, and a listener that never accepts.
@Suite(.timeLimit(.minutes(1)))
struct TCPCheckTests {
    static let redisAvailable = RedisServer.isInstalled || Tool.required

    static func run(_ check: TCPCheck, timeout: Duration = .seconds(20), connectTimeout: Duration = .seconds(10)) async -> CheckResult {
        let context = CheckContext(
            timeout: timeout,
            connectTimeout: connectTimeout,
            deadline: .now() + TimeAmount(timeout),
            ipVersion: .any
        )
        return await check.run(context)
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func anOpenPortIsUpWithItsConnectPhaseAndAddress() async throws {
        try await RedisServer.with { redis in
            let result = await Self.run(TCPCheck(host: "127.0.0.1", port: redis.port))
            #expect(result.health == .up)
            #expect(result.status == "connected")
            #expect(result.failure == nil)
            #expect(result.phases[.connect] != nil)
            #expect(result.phases[.dns] == nil)
            #expect(result.remoteAddress == "127.0.0.1")
        }
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func aNameIsResolvedAndTimedAndIPv6Works() async throws {
        try await RedisServer.with { redis in
            let named = await Self.run(TCPCheck(host: "localhost", port: redis.port))
            #expect(named.health == .up)
            #expect(named.phases[.dns] != nil)
            let six = await Self.run(TCPCheck(host: "::1", port: redis.port))
            #expect(six.health == .up, "\(six.status)")
            #expect(six.remoteAddress == "::1")
        }
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func aPingIsAnsweredWithPong() async throws {
        try await RedisServer.with { redis in
            let check = TCPCheck(host: "127.0.0.1", port: redis.port, send: Array("PING\r\n".utf8), expect: try BodyPattern(#"^\+PONG"#))
            let result = await Self.run(check)
            #expect(result.health == .up, "\(result.status)")
            #expect(result.status == "connected")
            #expect(result.phases[.ttfb] != nil)
        }
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func aWrongAnswerIsDownAndQuotedWhenTheTimeoutEndsTheWait() async throws {
        try await RedisServer.with { redis in
            let check = TCPCheck(host: "127.0.0.1", port: redis.port, send: Array("NOPE\r\n".utf8), expect: try BodyPattern(#"^\+PONG"#))
            let result = await Self.run(check, timeout: .seconds(1), connectTimeout: .seconds(1))
            #expect(result.health == .down)
            #expect(result.failure == .timeout)
            #expect(result.status.hasPrefix(#"expected /^\+PONG/, got "-ERR unknown command"#), "\(result.status)")
            #expect(result.status.hasSuffix("(timed out after 1s)"))
        }
    }

    @Test(.enabled(if: redisAvailable, "needs redis-server"))
    func aServerThatClosesWithoutTheAnswerIsDown() async throws {
        try await RedisServer.with { redis in
            // QUIT: Redis answers +OK and closes the connection.
            let check = TCPCheck(host: "127.0.0.1", port: redis.port, send: Array("QUIT\r\n".utf8), expect: try BodyPattern(#"^\+PONG"#))
            let result = await Self.run(check)
            #expect(result.health == .down)
            #expect(result.failure == .unexpectedAnswer)
            #expect(result.status == #"expected /^\+PONG/, got "+OK\r\n" (connection closed by server)"#)
        }
    }

    @Test func aPortNothingListensOnIsRefused() async throws {
        let result = await Self.run(TCPCheck(host: "127.0.0.1", port: try PostgresCluster.unusedPort()))
        #expect(result.health == .down)
        #expect(result.failure == .refused)
        #expect(result.status == "connection refused")
    }

    @Test func aListenerThatNeverAcceptsEndsAtTheConnectTimeout() async throws {
        let listener = try UnacceptingListener()
        let result = await Self.run(TCPCheck(host: "127.0.0.1", port: listener.port), timeout: .seconds(20), connectTimeout: .milliseconds(300))
        #expect(result.health == .down)
        #expect(result.failure == .timeout)
        #expect(result.status == "connect timed out")
    }
}
