import Foundation

/// Renders a ``Report`` as an aligned table for people.
///
/// ```
/// 2026-11-29T06:30:00.000Z  up 2  down 1  pending 0
/// STATE    URL                       STATUS               LATENCY  FOR
/// down     http://127.0.0.1:8/x      connection refused   1ms      2m5s
/// up       https://example.org/      200 OK               85ms     1h4m
/// ```
///
/// Rows are sorted by URL; `FOR` is how long the URL has been in its current state.
public enum TextReport {
    static let header = ["STATE", "URL", "STATUS", "LATENCY", "FOR"]

    public static func render(_ report: Report) -> String {
        var rows: [[String]] = [header]
        rows.reserveCapacity(report.urls.count + 1)
        for record in report.urls {
            rows.append([
                record.health.rawValue,
                record.url,
                record.health == .pending ? "-" : record.status,
                record.latency.map(DurationFormat.format) ?? "-",
                DurationFormat.format(.milliseconds(Int64(report.time.timeIntervalSince(record.since) * 1000))),
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var text = "\(Timestamp.rfc3339(report.time))  up \(report.up)  down \(report.down)  pending \(report.pending)\n"
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                if column == row.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[column] - cell.count + 2)
                }
            }
            text += line + "\n"
        }
        return text
    }
}
