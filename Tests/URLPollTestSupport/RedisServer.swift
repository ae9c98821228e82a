import Foundation
import NIOCore
import NIOPosix

/// A throwaway Redis (Debian's `redis-server`) on 127.0.0.1 and ::1 at a free port, with no
/// persistence: a real text protocol for the TCP check's `send:`/`expect:` (`PING` → `+PONG`).
/// `.ci/run` installs it; ``isInstalled`` lets a test skip where it is missing and not required.
package struct RedisServer: Sendable {
    package let port: Int

    package static let executable = "/usr/bin/redis-server"
    package static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Runs `body` with a live server, killed afterwards (SIGKILL: it keeps nothing, and a child of the test
    /// process inherits SIGTERM ignored, as service-lifecycle's signal handling leaves it).
    package static func with<T: Sendable>(_ body: (RedisServer) async throws -> T) async throws -> T {
        let port = try PostgresCluster.unusedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "-::1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--protected-mode", "no", "--loglevel", "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { kill(process.processIdentifier, SIGKILL) }
        try await LoopbackPort.waitUntilListening(port, what: "redis-server")
        return try await body(RedisServer(port: port))
    }
}

/// Waiting for a server a test started.
package enum LoopbackPort {
    /// Waits (at most 10 s) until 127.0.0.1:`port` accepts a TCP connection.
    ///
    /// - Throws: ``PostgresCluster/StartFailure`` naming `what` when it does not.
    package static func waitUntilListening(_ port: Int, what: String) async throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for _ in 0..<200 {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(to: address).get() {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PostgresCluster.StartFailure(description: "\(what) did not listen on port \(port) within 10 s")
    }
}
