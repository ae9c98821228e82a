import Foundation

/// A `body-matches` condition: a regular expression (ICU syntax, as `NSRegularExpression` reads it)
/// that some part of the response body must match.
///
/// Immutable and `Sendable`: one compiled expression is shared by every poll of the URL.
public struct BodyPattern: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    private let expression: NSRegularExpression

    /// - Throws: ``InputError`` when `source` is not a valid regular expression (the caller adds where).
    public init(_ source: String) throws(InputError) {
        do {
            expression = try NSRegularExpression(pattern: source)
        } catch {
            throw InputError("invalid regular expression /\(Excerpt.bounded(source))/")
        }
        self.source = source
    }

    /// Whether the expression matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// `/source/`, shortened to ``Excerpt/limit`` characters.
    public var description: String { "/\(Excerpt.bounded(source))/" }

    public static func == (lhs: BodyPattern, rhs: BodyPattern) -> Bool { lhs.source == rhs.source }
}
