import Foundation

/// Renders a ``Report`` as an aligned table for people.
///
/// ```
/// 2026-11-29T06:30:00.000Z  up 2  down 1  pending 0
/// STATE  URL                   METHOD  STATUS              LATENCY  FOR
/// down   http://127.0.0.1:8/x  HEAD    connection refused  1ms      2m5s
/// up     https://example.org/  GET     200 OK              85ms     1h4m
/// ```
///
/// Rows are sorted by URL; `METHOD` is the method of the last poll (GET after a HEAD→GET fallback);
/// `FOR` is how long the URL has been in its current state; with a history, `UP 24H` is its uptime over
/// the last 24 hours (`-` when nothing is known). A `NAME` column comes first when the
/// configuration names any URL. Control characters
/// in URLs and status texts (which a server chooses) are shown escaped, as `\x1B`, so they can neither
/// break the table nor drive the terminal.
public enum TextReport {
    static let header = ["STATE", "URL", "METHOD", "STATUS", "LATENCY", "FOR"]

    public static func render(_ report: Report) -> String {
        let showsNames = report.urls.contains { $0.name != nil }
        let hasUptime = report.uptime.count == report.urls.count
        var rows: [[String]] = [(showsNames ? ["NAME"] : []) + header + (hasUptime ? ["UP 24H"] : [])]
        rows.reserveCapacity(report.urls.count + 1)
        for (index, record) in report.urls.enumerated() {
            var row =
                (showsNames ? [printable(record.name ?? "-")] : []) + [
                    record.health.rawValue,
                    printable(record.url.shown),
                    record.method?.rawValue ?? "-",
                    record.health == .pending ? "-" : printable(record.status),
                    record.latency.map(DurationFormat.format) ?? "-",
                    DurationFormat.format(.milliseconds(Int64(report.time.timeIntervalSince(record.since) * 1000))),
                ]
            if hasUptime { row.append(percent(report.uptime[index][.day])) }
            rows.append(row)
        }
        var heading = "\(Timestamp.rfc3339(report.time))  up \(report.up)  down \(report.down)  pending \(report.pending)"
        if let since = report.alerting?.suspectedSince {
            heading += "  SELF-CHECK: own network suspected since \(Timestamp.rfc3339(since)), down alerts held"
        }
        return heading + "\n" + TextTable.render(rows)
    }

    /// `99.95%`: a share with two decimals (fewer when they are zeros), `100%`, or `-` for none.
    public static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "-" }
        let hundredths = Int((ratio * 10_000).rounded(.down))
        if hundredths >= 10_000 { return ratio >= 1 ? "100%" : "99.99%" }
        let (whole, fraction) = hundredths.quotientAndRemainder(dividingBy: 100)
        if fraction == 0 { return "\(whole)%" }
        return fraction.isMultiple(of: 10) ? "\(whole).\(fraction / 10)%" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// `text` with every control character replaced by a visible `\xNN` escape.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
