import Foundation

/// Where the web server listens: `HOST:PORT`, or a bare `PORT` (host 127.0.0.1). IPv6 hosts are written
/// in brackets: `[::1]:8080`. Pure.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`.
    ///
    /// - Throws: ``InputError`` quoting the text and saying what is wrong.
    public init(parsing text: String) throws(InputError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var host = "127.0.0.1"
        var portText = Substring(trimmed)
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                throw InputError("\(Excerpt.quoted(text)) is not HOST:PORT (write e.g. [::1]:8080)")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            portText = trimmed[trimmed.index(close, offsetBy: 2)...]
        } else if let colon = trimmed.lastIndex(of: ":") {
            let given = trimmed[..<colon]
            if given.contains(":") { throw InputError("\(Excerpt.quoted(text)): write IPv6 hosts in brackets, e.g. [::1]:8080") }
            if !given.isEmpty { host = String(given) }
            portText = trimmed[trimmed.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw InputError("\(Excerpt.quoted(text)) has no valid port (write PORT or HOST:PORT, port 0-65535)")
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
