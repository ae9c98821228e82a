import Foundation
import URLPollCore

/// Runs a program per event: the event in environment variables (`URLPOLL_EVENT`, `URLPOLL_URL`,
/// `URLPOLL_NAME`, `URLPOLL_STATUS`, `URLPOLL_CODE`, `URLPOLL_SINCE`, `URLPOLL_OUTAGE_SECONDS`,
/// `URLPOLL_FAILURES`, `URLPOLL_INSTANCE`, `URLPOLL_SENT_AT`, `URLPOLL_IDEMPOTENCY_KEY`,
/// `URLPOLL_RECEIVER`, on top of urlpoll's own environment and the receiver's `env:`, whose values are
/// secrets revealed only to the program) and the webhook JSON payload on standard input.
///
/// Exit status 0 is delivered; anything else is a failed attempt (retried), quoting the start of the
/// program's standard error. A program still running at the receiver's timeout is sent SIGTERM, and
/// SIGKILL two seconds later. Its standard output is discarded.
struct CommandReceiver: Receiver {
    let name: String
    let path: String
    let arguments: [String]
    /// The configured `env:`.
    let environment: [String: Secret<String>]
    let instance: String
    let timeout: Duration

    func deliver(_ event: AlertEvent, sentAt: Date) async throws(DeliveryError) {
        let payload = WebhookPayload(event, instance: instance, sentAt: sentAt)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .merging(environment.mapValues(\.revealed), uniquingKeysWith: { _, configured in configured })
            .merging(Self.environment(payload), uniquingKeysWith: { _, ours in ours })
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("urlpoll-command-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        guard let errorHandle = try? FileHandle(forWritingTo: errorFile) else { throw DeliveryError("\(label): cannot capture its standard error") }
        process.standardError = errorHandle
        let exited = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in
            exited.continuation.yield()
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            try? errorHandle.close()
            throw DeliveryError("\(label): cannot start (\(error.localizedDescription))", isRetryable: false)
        }
        try? errorHandle.close()
        // The payload is small (well under a pipe's buffer): writing it cannot block on a program that
        // does not read it. SIGPIPE is ignored (see ``ignoreBrokenPipes``), so one that exits early is fine.
        try? input.fileHandleForWriting.write(contentsOf: Data(payload.json))
        try? input.fileHandleForWriting.close()
        let timedOut = await Self.wait(for: process, exited: exited.stream, timeout: timeout)
        if timedOut { throw DeliveryError("\(label): still running after \(DurationFormat.format(timeout)); killed") }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let detail = (try? String(contentsOf: errorFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let how =
                process.terminationReason == .exit ? "exited with \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
            throw DeliveryError("\(label): \(how)\(detail.isEmpty ? "" : ": \(Excerpt.bounded(detail))")")
        }
    }

    private var label: String { "command \(Excerpt.quoted(path))" }

    /// Waits for `process` to exit; past `timeout`, terminates it (SIGTERM, then SIGKILL) and returns `true`.
    private static func wait(for process: Process, exited: AsyncStream<Void>, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exited {}
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                guard process.isRunning else { return false }
                process.terminate()
                try? await Task.sleep(for: .seconds(2))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                return true
            }
            let first = await group.next() ?? false
            if first {
                for await _ in group {}
                return true
            }
            group.cancelAll()
            return false
        }
    }

    static func environment(_ payload: WebhookPayload) -> [String: String] {
        [
            "URLPOLL_EVENT": payload.event,
            "URLPOLL_URL": payload.url,
            "URLPOLL_NAME": payload.name ?? "",
            "URLPOLL_STATUS": payload.status,
            "URLPOLL_CODE": payload.code.map(String.init) ?? "",
            "URLPOLL_SINCE": payload.since,
            "URLPOLL_OUTAGE_SECONDS": String(payload.outageSeconds),
            "URLPOLL_FAILURES": String(payload.failures),
            "URLPOLL_INSTANCE": payload.instance,
            "URLPOLL_SENT_AT": payload.sentAt,
            "URLPOLL_IDEMPOTENCY_KEY": payload.idempotencyKey,
            "URLPOLL_RECEIVER": payload.receiver,
        ]
    }

    /// A program that exits before reading its input must not kill urlpoll with SIGPIPE.
    static let ignoreBrokenPipes: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()
}
