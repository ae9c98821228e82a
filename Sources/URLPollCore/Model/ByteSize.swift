import Foundation

/// Reads and writes byte counts: `1048576`, `64KiB`, `1MiB` (also `KB`/`MB`, read as powers of 1024). Pure.
public enum ByteSize {
    private static let units: [String: Int] = [
        "": 1, "B": 1, "KiB": 1 << 10, "KB": 1 << 10, "MiB": 1 << 20, "MB": 1 << 20, "GiB": 1 << 30, "GB": 1 << 30,
    ]

    /// Parses a byte count.
    ///
    /// - Throws: ``InputError`` saying what is wrong (the caller adds where).
    public static func parse(_ text: String) throws(InputError) -> Int {
        let digits = text.prefix(while: \.isNumber)
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let number = Int(digits), let scale = units[unit] else {
            throw InputError("\(Excerpt.quoted(text)) is not a size (write e.g. 65536, 64KiB or 1MiB)")
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow, bytes <= 1 << 30 else { throw InputError("\(Excerpt.quoted(text)) is too large (at most 1GiB)") }
        return bytes
    }

    /// `512B`, `64KiB`, `1MiB`, or `1.5MiB`.
    public static func format(_ bytes: Int) -> String {
        if bytes >= 1 << 20 { return scaled(bytes, 1 << 20, "MiB") }
        if bytes >= 1 << 10 { return scaled(bytes, 1 << 10, "KiB") }
        return "\(bytes)B"
    }

    private static func scaled(_ bytes: Int, _ unit: Int, _ name: String) -> String {
        let tenths = (bytes * 10 + unit / 2) / unit
        return tenths % 10 == 0 ? "\(tenths / 10)\(name)" : "\(tenths / 10).\(tenths % 10)\(name)"
    }
}
