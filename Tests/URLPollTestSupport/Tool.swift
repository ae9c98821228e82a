import Foundation

/// A helper program run to completion.
package enum Tool {
    /// Whether `.ci/run` asked for every tool (`URLPOLL_REQUIRE_TOOLS=1`): a test whose tool is missing then fails
    /// instead of being skipped.
    package static let required = ProcessInfo.processInfo.environment["URLPOLL_REQUIRE_TOOLS"] == "1"
    /// Whether python3 can import prometheus_client (the real exposition parser).
    package static let hasPrometheusClient = run("/usr/bin/env", ["python3", "-c", "import prometheus_client"])?.status == 0

    package struct Result {
        package let status: Int32
        package let stdout: String
        package let stderr: String
    }

    /// Runs `executable` to completion, its output captured in files (so neither stream can fill a pipe and stall it).
    /// Blocks the calling thread: for the quick checks of static properties only.
    package static func run(_ executable: String, _ arguments: [String]) -> Result? {
        guard let out = try? TemporaryFile(""), let err = try? TemporaryFile(""), let process = start(executable, arguments, out, err) else {
            return nil
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: out.contents, stderr: err.contents)
    }

    /// As ``run(_:_:)``, awaiting the exit instead of blocking a thread: a headless browser takes seconds,
    /// and a blocked thread of Swift's two-thread pool would stall every other test meanwhile.
    package static func run(_ executable: String, _ arguments: [String]) async -> Result? {
        guard let out = try? TemporaryFile(""), let err = try? TemporaryFile("") else { return nil }
        let (exited, exit) = AsyncStream.makeStream(of: Void.self)
        guard let process = start(executable, arguments, out, err, onExit: { exit.finish() }) else { return nil }
        for await _ in exited {}
        return Result(status: process.terminationStatus, stdout: out.contents, stderr: err.contents)
    }

    private static func start(
        _ executable: String,
        _ arguments: [String],
        _ out: TemporaryFile,
        _ err: TemporaryFile,
        onExit: (@Sendable () -> Void)? = nil
    ) -> Process? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try? FileHandle(forWritingTo: URL(fileURLWithPath: out.path))
        process.standardError = try? FileHandle(forWritingTo: URL(fileURLWithPath: err.path))
        process.standardInput = FileHandle.nullDevice
        if let onExit { process.terminationHandler = { _ in onExit() } }
        guard (try? process.run()) != nil else { return nil }
        return process
    }

    /// A script in `Tests/scripts`.
    package static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/\(name)").path
    }
}
