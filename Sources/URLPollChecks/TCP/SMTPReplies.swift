import URLPollCore

/// SMTP replies as they arrive (RFC 5321 §4.2): lines of `NNN-text` continued until `NNN text`, each
/// ending in CRLF (a bare LF is taken too). Pure: fed bytes, it returns the replies completed so far.
/// Bounded: a line over 1,000 bytes or a reply of over 100 lines is an error, so a hostile server cannot
/// grow it.
package struct SMTPReplies: Sendable {
    /// One complete reply: its code and its lines' texts.
    package struct Reply: Sendable, Equatable {
        package let code: Int
        package let lines: [String]

        /// `250 mail.test` (the first line), for statuses.
        package var summary: String { "\(code) \(lines.first ?? "")" }
    }

    package struct Malformed: Error, Equatable, CustomStringConvertible {
        package let reason: String
        package var description: String { "invalid SMTP reply (\(reason))" }
    }

    private var line: [UInt8] = []
    private var lines: [String] = []
    private var code: Int?

    package init() {}

    /// Takes `bytes`; returns every reply they complete.
    ///
    /// - Throws: ``Malformed`` for a line that is not `NNN-…` or `NNN …`, a code that changes within a
    ///   reply, or a line or reply over its bound.
    package mutating func receive(_ bytes: some Sequence<UInt8>) throws(Malformed) -> [Reply] {
        var replies: [Reply] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                line.append(byte)
                guard line.count <= 1_000 else { throw Malformed(reason: "a line over 1000 bytes") }
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            defer { line = [] }
            guard line.count >= 3, let number = Int(String(decoding: line.prefix(3), as: UTF8.self)), (200...599).contains(number),
                line.count == 3 || line[3] == UInt8(ascii: "-") || line[3] == UInt8(ascii: " ")
            else {
                throw Malformed(reason: "not a reply line: \(Excerpt.quoted(String(decoding: line, as: UTF8.self)))")
            }
            if let code, code != number { throw Malformed(reason: "the code changes within a reply (\(code), then \(number))") }
            code = number
            lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
            guard lines.count <= 100 else { throw Malformed(reason: "a reply of over 100 lines") }
            if line.count == 3 || line[3] == UInt8(ascii: " ") {
                replies.append(Reply(code: number, lines: lines))
                (lines, code) = ([], nil)
            }
        }
        return replies
    }
}
