import Foundation
import Testing

/// The built `urlpoll` executable run as a child process, its output captured in files, in a working
/// directory of its own (so its default history database, `urlpoll.sqlite`, is its own too).
final class URLPollProcess: Sendable {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    private let process: Process
    private let stdoutFile: TemporaryFile
    private let stderrFile: TemporaryFile
    /// The child's working directory.
    let directory: TemporaryDirectory

    /// The binary sits next to the test bundle, in the build products folder.
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("urlpoll")
    }

    private init(process: Process, stdoutFile: TemporaryFile, stderrFile: TemporaryFile, directory: TemporaryDirectory) {
        self.process = process
        self.stdoutFile = stdoutFile
        self.stderrFile = stderrFile
        self.directory = directory
    }

    /// - Parameters:
    ///   - environment: variables added to this process's environment for the child.
    ///   - directory: the working directory; by default a new empty one.
    static func start(
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String] = [:],
        directory: TemporaryDirectory? = nil
    ) throws -> URLPollProcess {
        let directory = try directory ?? TemporaryDirectory()
        let process = Process()
        process.executableURL = executable
        process.currentDirectoryURL = directory.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        let stdoutFile = try TemporaryFile("")
        let stderrFile = try TemporaryFile("")
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutFile.path))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrFile.path))
        if let stdin {
            let input = try TemporaryFile(stdin)
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input.path))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return URLPollProcess(process: process, stdoutFile: stdoutFile, stderrFile: stderrFile, directory: directory)
    }

    static func run(
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String] = [:],
        directory: TemporaryDirectory? = nil
    ) async throws -> Result {
        try await start(arguments, stdin: stdin, environment: environment, directory: directory).finish()
    }

    var stdout: String { stdoutFile.contents }

    var stderr: String { stderrFile.contents }

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits (polling every 50 ms, at most 20 s) until standard output satisfies `condition`.
    func waitForOutput(_ condition: (String) -> Bool) async throws {
        try await waitFor(condition, in: \.stdout)
    }

    /// Waits (polling every 50 ms, at most 20 s) until standard error (the log) satisfies `condition`.
    func waitForLog(_ condition: (String) -> Bool) async throws {
        try await waitFor(condition, in: \.stderr)
    }

    private func waitFor(_ condition: (String) -> Bool, in stream: KeyPath<URLPollProcess, String>) async throws {
        for _ in 0..<400 {
            if condition(self[keyPath: stream]) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("urlpoll printed nothing expected in 20 s: \(self[keyPath: stream])")
    }

    /// Waits for the process to exit (killing it after 30 s) and returns its status and output.
    func finish() async throws -> Result {
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            Issue.record("urlpoll did not exit within 30 s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: stdoutFile.contents, stderr: stderrFile.contents)
    }
}

/// A file in the temporary folder, removed when the value is released.
final class TemporaryFile: Sendable {
    let path: String

    init(_ contents: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("urlpoll-test-\(UUID().uuidString)").path
        try contents.save(toFile: path)
    }

    var contents: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A new empty directory, removed with everything in it when the last reference goes.
final class TemporaryDirectory: Sendable {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("urlpoll-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
