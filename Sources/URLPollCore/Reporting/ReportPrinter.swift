import Foundation

/// Writes rendered reports to standard output, each with a single `write`, so that a reader on a pipe
/// sees every report as soon as it is printed (nothing waits in a buffer).
public struct ReportPrinter: Sendable {
    public let format: ReportFormat

    public init(format: ReportFormat) {
        self.format = format
    }

    /// Renders and writes `report`. A closed standard output is ignored (the monitor keeps running).
    public func print(_ report: Report) {
        let text = format.render(report)
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }
}
