/// How reports are written.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// An aligned table for people.
    case text
    /// One line of JSON per report, for programs.
    case json

    /// Renders `report`, ending with a newline.
    public func render(_ report: Report) -> String {
        switch self {
        case .text: TextReport.render(report)
        case .json: JSONReport.render(report)
        }
    }
}
