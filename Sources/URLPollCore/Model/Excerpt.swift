/// Text that came from outside (a URL list, a config value, a server's reason phrase or `Location`),
/// shortened for a message: at most ``limit`` characters, then how many were left out.
///
/// Every message that quotes input goes through here, so a 1 MiB line or a 64 KiB header never
/// becomes a 1 MiB error message, log line or status text. Pure.
public enum Excerpt {
    /// The most characters of the input a message quotes.
    public static let limit = 200

    /// `text` if it has at most ``limit`` characters, else its first ``limit`` characters followed by
    /// `… (N more characters)`.
    public static func bounded(_ text: some StringProtocol) -> String {
        guard let (start, rest) = split(text) else { return String(text) }
        return "\(start)… (\(rest) more characters)"
    }

    /// `"text"` in quotes, shortened as ``bounded(_:)`` does: `"first 200 characters…" (N more characters)`.
    public static func quoted(_ text: some StringProtocol) -> String {
        guard let (start, rest) = split(text) else { return "\"\(text)\"" }
        return "\"\(start)…\" (\(rest) more characters)"
    }

    /// The first ``limit`` characters and the count of the others; `nil` if `text` is not longer.
    private static func split<Text: StringProtocol>(_ text: Text) -> (Text.SubSequence, Int)? {
        // A string of at most `limit` UTF-8 bytes has at most `limit` characters: no walk needed.
        guard text.utf8.count > limit else { return nil }
        guard let end = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex), end < text.endIndex else { return nil }
        return (text[..<end], text[end...].count)
    }
}
