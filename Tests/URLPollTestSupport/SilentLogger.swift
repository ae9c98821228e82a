import Logging

extension Logger {
    /// A logger that drops everything: for runs whose log lines a test does not read.
    package static let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}
