import Foundation

/// A check of one value in a JSON body (`json: {path: "$.status", equals: "ok"}`): the value at
/// ``path`` must exist and, with ``expected``, equal it (strings by their text, numbers, `true`, `false`
/// and `null` by how JSON writes them). Pure; parsed and checked without I/O.
///
/// Paths are the common subset of JSONPath: `$`, then `.name`, `['name']` and `[index]` steps
/// (`$.checks[0].status`, `$['db-primary'].ok`). Wildcards and filters are refused when the config is read.
public struct JSONPathCheck: Sendable, Equatable, CustomStringConvertible {
    public enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public let steps: [Step]
    /// The path as written.
    public let description: String
    public let expected: String?

    /// - Throws: ``InputError`` for a path outside the supported subset, saying where.
    public init(path: String, equals expected: String? = nil) throws(InputError) {
        description = path
        self.expected = expected
        steps = try Self.parse(path)
    }

    /// `nil` when `json` (a parsed body) passes; otherwise why not, for the status text.
    public func failure(in json: JSONValue) -> String? {
        var value = json
        for step in steps {
            switch (step, value) {
            case (.key(let key), .object(let object)) where object[key] != nil:
                value = object[key]!
            case (.index(let index), .array(let array)) where array.indices.contains(index):
                value = array[index]
            default:
                return "\(description) is missing"
            }
        }
        guard let expected else { return nil }
        let actual = value.text
        return actual == expected ? nil : "\(description) is \(Excerpt.quoted(actual)) (expected \(Excerpt.quoted(expected)))"
    }

    private static func parse(_ path: String) throws(InputError) -> [Step] {
        var rest = Substring(path)
        guard rest.first == "$" else { throw InputError("\(Excerpt.quoted(path)): a JSON path starts with $") }
        rest = rest.dropFirst()
        var steps: [Step] = []
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty, name != "*" else { throw InputError("\(Excerpt.quoted(path)): a name must follow each dot") }
                steps.append(.key(String(name)))
                rest = rest.dropFirst(name.count)
            } else if first == "[" {
                guard let close = rest.firstIndex(of: "]") else { throw InputError("\(Excerpt.quoted(path)): a [ is not closed") }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote {
                    steps.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    throw InputError(
                        "\(Excerpt.quoted(path)): [\(inside)] is neither an index nor a quoted name (wildcards and filters are not supported)"
                    )
                }
                rest = rest[rest.index(after: close)...]
            } else {
                throw InputError("\(Excerpt.quoted(path)): expected . or [ after \(Excerpt.quoted(String(path.prefix(path.count - rest.count))))")
            }
        }
        return steps
    }
}

/// A parsed JSON value (through `JSONDecoder`), for ``JSONPathCheck``.
public indirect enum JSONValue: Sendable, Equatable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value parsed from `bytes`, or `nil` when they are not JSON.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// How a value compares with `equals`: a string's text; numbers, `true`, `false` and `null` as JSON
    /// writes them; `{…}` and `[…]` for objects and arrays.
    public var text: String {
        switch self {
        case .string(let string): string
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let bool): bool ? "true" : "false"
        case .null: "null"
        case .array: "[…]"
        case .object: "{…}"
        }
    }
}
