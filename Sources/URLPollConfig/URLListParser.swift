import Foundation
import URLPollChecks
import URLPollCore

/// Reads URL lists: one URL per line; surrounding white space is trimmed; blank lines and lines whose
/// first non-space character is `#` are ignored. Accepted: `http` and `https` URLs with a host, and the
/// URLs of every registered check kind (`tcp://host:port`, ``CheckKinds``).
///
/// Pure: it parses text it is given and reads no files.
package enum URLListParser {
    /// Parses the text of a URL-list file.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - source: the name to quote in errors, such as `urls.txt` or `<stdin>`.
    /// - Throws: ``InputError`` naming `source`, the line and the offending text, for the first invalid
    ///   line, or for a list that holds no URL at all.
    package static func parse(_ text: String, source: String) throws(InputError) -> [URLListEntry] {
        var entries: [URLListEntry] = []
        var lineNumber = 0
        var rest = Substring(text)
        // Line by line on the UTF-8 view, without an array of all lines: a 100,000-line list parses in
        // well under a second.
        while !rest.isEmpty {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let rawLine = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.utf8.index(after: end)...]
            lineNumber += 1
            let line = trimmed(rawLine)
            if line.isEmpty || line.utf8.first == UInt8(ascii: "#") { continue }
            let url = String(line)
            let origin = URLListEntry.Origin.file(name: source, line: lineNumber)
            if let problem = problem(with: url) {
                throw InputError("\(origin): invalid URL \(Excerpt.quoted(URLRedaction.standard.redact(url))): \(problem)")
            }
            entries.append(URLListEntry(url: url, origin: origin))
        }
        if entries.isEmpty {
            throw InputError("\(source): the URL list is empty (no line holds a URL)")
        }
        return entries
    }

    /// Checks a URL given as a command-line argument.
    ///
    /// - Throws: ``InputError`` quoting the argument.
    package static func argument(_ text: String, position: Int) throws(InputError) -> URLListEntry {
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = problem(with: url) {
            throw InputError("argument \(position): invalid URL \(Excerpt.quoted(URLRedaction.standard.redact(text))): \(problem)")
        }
        return URLListEntry(url: url, origin: .argument(position: position))
    }

    /// `line` without leading and trailing white space (spaces, tabs, carriage returns, other Unicode spaces).
    static func trimmed(_ line: Substring) -> Substring {
        guard let first = line.unicodeScalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return line[line.endIndex...] }
        let last = line.unicodeScalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return line[first...last]
    }

    /// Says what is wrong with a URL, or `nil` if it can be polled.
    package static func problem(with url: String) -> String? {
        guard url.utf8.count <= Resource.maximumURLLength else {
            return "longer than \(Resource.maximumURLLength) bytes (\(url.utf8.count))"
        }
        guard let components = URLComponents(string: url) else {
            return "not a valid URL"
        }
        guard let scheme = components.scheme?.lowercased() else {
            return "missing scheme (write http://, https:// or tcp://)"
        }
        if scheme != "http" && scheme != "https" {
            guard let kind = CheckKinds.kind(forScheme: scheme) else {
                return "unsupported scheme \(Excerpt.quoted(scheme)) (urlpoll polls \(CheckKinds.schemes.joined(separator: ", ")))"
            }
            return kind.problem(with: components)
        }
        guard let host = components.host, !host.isEmpty else {
            return "missing host"
        }
        return nil
    }
}
