import Foundation

/// Which HTTP status codes count as up: a union of single codes and ranges (`[200, 204, "300-399"]`).
///
/// A pure value. The default, ``standard``, is 200–399.
public struct StatusExpectation: Sendable, Equatable, CustomStringConvertible {
    /// The accepted codes, as written.
    public let ranges: [ClosedRange<Int>]

    /// 200–399: success and redirects (the final answer when redirects are not followed).
    public static let standard = StatusExpectation(ranges: [200...399])

    public init(ranges: [ClosedRange<Int>]) {
        self.ranges = ranges
    }

    /// Whether `code` is accepted.
    public func contains(_ code: Int) -> Bool {
        ranges.contains { $0.contains(code) }
    }

    /// `200, 204, 300-399`.
    public var description: String {
        ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", ")
    }

    /// Parses one element: a code (`"204"`) or a range (`"300-399"`), each code from 100 to 599.
    ///
    /// - Throws: ``InputError`` saying what is wrong (the caller adds where).
    public static func parseElement(_ text: String) throws(InputError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(parts.count), let low = Int(parts[0]), let high = Int(parts[parts.count - 1]) else {
            throw InputError("invalid status \(Excerpt.quoted(text)): write a code such as 200 or a range such as 200-299")
        }
        guard (100...599).contains(low), (100...599).contains(high) else {
            throw InputError("invalid status \(Excerpt.quoted(text)): status codes are from 100 to 599")
        }
        guard low <= high else {
            throw InputError("invalid status range \(Excerpt.quoted(text)): the first code is larger than the second")
        }
        return low...high
    }
}
