import URLPollCore

/// Every kind of check urlpoll knows besides HTTP, which is built in. Adding a kind is a folder beside
/// `TCP/` and one line in ``all`` (docs/architecture.md, "How to add a check kind").
package enum CheckKinds {
    /// The registered kinds; each scheme belongs to one.
    package static let all: [any CheckKind] = [
        TCPKind(),
        DNSKind(),
    ]

    /// The kind `scheme` chooses, or `nil` for http, https and schemes no kind takes.
    package static func kind(forScheme scheme: String) -> (any CheckKind)? {
        let scheme = scheme.lowercased()
        return all.first { $0.schemes.contains(scheme) }
    }

    /// Every scheme urlpoll polls, for messages: `http, https, tcp, tls`.
    package static var schemes: [String] { ["http", "https"] + all.flatMap(\.schemes) }
}
