import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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

    /// Runs `arguments` (an absolute path first) to completion with posix_spawn, waiting with waitpid on a
    /// thread of its own, and returns its output (standard output and error, trimmed).
    ///
    /// Foundation's `Process` was seen to miss the exit of short-lived children (a shell that starts a
    /// server in the background and exits at once stayed a zombie, its `Process` running for ever), so
    /// what must not hang uses this.
    /// - Throws: ``PostgresCluster/CommandFailed`` with the output when it cannot start or exits non-zero.
    package static func spawn(_ arguments: [String]) async throws -> String {
        let directory = try TemporaryDirectory()
        let outputPath = directory.file("output")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresCluster.CommandFailed(command: arguments.joined(separator: " "), output: String(cString: strerror(spawned)))
        }
        let child = pid
        // A thread of its own for the blocking wait: not the cooperative pool, not NIO's thread pool
        // (the lean client resolves names there).
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally with status 0 (the wait status's low 7 bits are the signal, the next 8 the code).
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw PostgresCluster.CommandFailed(command: arguments.joined(separator: " "), output: text)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
