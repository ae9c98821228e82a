/// A shell-style pattern for names and URLs: `*` matches any run of characters (also none), `?` one
/// character, everything else itself (case-sensitive). A pure value.
public struct GlobPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let characters: [Character]

    public init(_ text: String) {
        description = text
        characters = Array(text)
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        let subject = Array(text)
        // Iterative matching with one backtrack point for the last `*`: linear in practice, never exponential.
        var (p, s) = (0, 0)
        var star: (p: Int, s: Int)?
        while s < subject.count {
            if p < characters.count, characters[p] == "*" {
                star = (p, s)
                p += 1
            } else if p < characters.count, characters[p] == "?" || characters[p] == subject[s] {
                p += 1
                s += 1
            } else if let last = star {
                p = last.p + 1
                s = last.s + 1
                star = (last.p, last.s + 1)
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }
}
