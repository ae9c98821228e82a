import Foundation

/// Reads URL lists: one URL per line; surrounding white space is trimmed; blank lines and lines whose
/// first non-space character is `#` are ignored. Only `http` and `https` URLs with a host are accepted.
///
/// Pure: it parses text it is given and reads no files.
public enum URLListParser {
    /// Parses the text of a URL-list file.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - source: the name to quote in errors, such as `urls.txt` or `<stdin>`.
    /// - Throws: ``InputError`` naming `source`, the line and the offending text, for the first invalid
    ///   line, or for a list that holds no URL at all.
    public static func parse(_ text: String, source: String) throws(InputError) -> [URLListEntry] {
        var entries: [URLListEntry] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let origin = URLListEntry.Origin.file(name: source, line: lineNumber)
            if let problem = problem(with: line) {
                throw InputError("\(origin): invalid URL \"\(line)\": \(problem)")
            }
            entries.append(URLListEntry(url: line, origin: origin))
        }
        if entries.isEmpty {
            throw InputError("\(source): the URL list is empty (no line holds a URL)")
        }
        return entries
    }

    /// Checks a URL given as a command-line argument.
    ///
    /// - Throws: ``InputError`` quoting the argument.
    public static func argument(_ text: String, position: Int) throws(InputError) -> URLListEntry {
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = problem(with: url) {
            throw InputError("argument \(position): invalid URL \"\(text)\": \(problem)")
        }
        return URLListEntry(url: url, origin: .argument(position: position))
    }

    /// Says what is wrong with a URL, or `nil` if it can be polled.
    public static func problem(with url: String) -> String? {
        guard let components = URLComponents(string: url) else {
            return "not a valid URL"
        }
        guard let scheme = components.scheme?.lowercased() else {
            return "missing scheme (write http:// or https://)"
        }
        guard scheme == "http" || scheme == "https" else {
            return "unsupported scheme \"\(scheme)\" (only http and https)"
        }
        guard let host = components.host, !host.isEmpty else {
            return "missing host"
        }
        return nil
    }
}
