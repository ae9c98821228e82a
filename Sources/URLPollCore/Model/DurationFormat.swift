/// Reads and writes durations the way urlpoll's flags spell them: a sequence of numbers with units,
/// such as `500ms`, `10s`, `1m30s`, `2h` or `1.5s`.
///
/// Units: `ms`, `s`, `m`, `h`, `d`. Every number needs a unit: a bare `10` is rejected, because it is
/// ambiguous. Negative durations are rejected. Pure and thread-safe.
public enum DurationFormat {
    /// Parses a duration.
    ///
    /// - Throws: ``InputError`` whose message says what is wrong with `text` (without naming the flag;
    ///   the caller adds where it came from).
    public static func parse(_ text: String) throws(InputError) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw InputError("empty duration (write e.g. 10s, 500ms, 1m30s)") }
        var rest = Substring(trimmed)
        var total = Duration.zero
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            rest = rest.dropFirst(number.count)
            guard !number.isEmpty, let value = Double(number) else {
                throw InputError("\(Excerpt.quoted(text)) is not a duration (write e.g. 10s, 500ms, 1m30s)")
            }
            let unitText = rest.prefix(while: { $0.isLetter })
            rest = rest.dropFirst(unitText.count)
            guard !unitText.isEmpty else {
                throw InputError("\(Excerpt.quoted(text)) has no unit (write e.g. \(Excerpt.bounded(number))s or \(Excerpt.bounded(number))ms)")
            }
            guard let unit = units[String(unitText)] else {
                throw InputError("\(Excerpt.quoted(text)) has an unknown unit \(Excerpt.quoted(unitText)) (use ms, s, m, h or d)")
            }
            guard value.isFinite, value * unit < 1e12 else {
                throw InputError("\(Excerpt.quoted(text)) is too long")
            }
            total += .milliseconds(value * unit)
        }
        return total
    }

    /// Milliseconds per unit.
    private static let units: [String: Double] = ["ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    /// Writes a duration compactly for people: `850ms`, `12s`, `1m30s`, `2h5m`, `3d4h`.
    ///
    /// Below ten milliseconds and ten seconds it keeps one decimal (`0.4ms`, `1.5s`); above a minute it
    /// rounds to the two largest units.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = max(0, duration.wholeMilliseconds)
        if milliseconds < 10 {
            let tenths = duration.wholeMicroseconds / 100
            return tenths % 10 == 0 ? "\(tenths / 10)ms" : "\(tenths / 10).\(tenths % 10)ms"
        }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 10_000 {
            let tenths = (milliseconds + 50) / 100
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = (milliseconds + 500) / 1000
        if seconds < 60 { return "\(seconds)s" }
        let (minutes, secs) = seconds.quotientAndRemainder(dividingBy: 60)
        if minutes < 60 { return secs == 0 ? "\(minutes)m" : "\(minutes)m\(secs)s" }
        let (hours, mins) = minutes.quotientAndRemainder(dividingBy: 60)
        if hours < 24 { return mins == 0 ? "\(hours)h" : "\(hours)h\(mins)m" }
        let (days, hrs) = hours.quotientAndRemainder(dividingBy: 24)
        return hrs == 0 ? "\(days)d" : "\(days)d\(hrs)h"
    }
}
