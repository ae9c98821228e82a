import Foundation

/// RFC 3339 timestamps in UTC with millisecond precision, such as `2026-11-29T06:30:00.125Z`.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public static func rfc3339(_ date: Date) -> String {
        date.formatted(style)
    }
}
