import Foundation
import NIOPosix
import Testing

/// A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) on a loopback port, clustering
/// off, with a throwaway storage directory; stopped (SIGTERM) when `body` returns.
enum AlertmanagerProcess {
    static let executable = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func with<T: Sendable>(_ body: (_ url: String) async throws -> T) async throws -> T {
        let executable = try #require(Self.executable, "prometheus-alertmanager is not installed")
        let directory = try TemporaryDirectory()
        let config = directory.file("alertmanager.yml")
        try "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n".save(toFile: config)
        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--config.file=\(config)", "--storage.path=\(directory.file("data"))", "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let (exited, exit) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in exit.finish() }
        try process.run()
        let url = "http://127.0.0.1:\(port)"
        do {
            try await Eventually.wait("Alertmanager to be ready") { (try? await HTTPGet.text("\(url)/-/ready")) != nil }
            let result = try await body(url)
            process.terminate()
            for await _ in exited {}
            return result
        } catch {
            process.terminate()
            for await _ in exited {}
            throw error
        }
    }

    /// A port nobody listens on now (bound, then closed).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
