import Foundation

/// RFC 3339 timestamps in UTC with millisecond precision, such as `2026-11-29T06:30:00.125Z`.
///
/// A time is rounded to the nearest millisecond, the same way the history store keeps it, so a time
/// printed before a restart and the same time read back from the database print identically.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(timeZone: .gmt)

    public static func rfc3339(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let stem = Date(timeIntervalSince1970: Double(whole.0)).formatted(style).dropLast()  // drop "Z"
        let digits = String(whole.1)
        return stem + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
