import Logging
import Synchronization

/// A log handler that keeps every message, for tests that check what was logged (and how often).
struct RecordingLogHandler: LogHandler {
    /// The messages, shared by every copy of the handler.
    final class Lines: Sendable {
        private let lines = Mutex<[(Logger.Level, String)]>([])

        func append(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }

        /// The messages so far, with their levels.
        var all: [(level: Logger.Level, message: String)] { lines.withLock { $0.map { (level: $0.0, message: $0.1) } } }

        /// How many messages contain `text`.
        func count(containing text: String) -> Int { lines.withLock { $0.filter { $0.1.contains(text) }.count } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    /// A logger that records into `lines`.
    static func logger(into lines: Lines) -> Logger {
        Logger(label: "test", factory: { _ in RecordingLogHandler(lines: lines) })
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(event.level, "\(event.message)")
    }
}
