/// A credential: a value that is sent where it belongs and shown nowhere else.
///
/// Whatever prints a secret, or something that holds one, gets ``redacted``: `description`,
/// `debugDescription`, the `Mirror` that `dump` and default descriptions walk, and the `Encodable` form are
/// all `<redacted>`. So a header value, a password or a receiver's URL cannot reach a log line at any
/// level, a report, an error message or a JSON document by being printed with what carries it.
///
/// The value is reached only through ``revealed``, by the code that sends it (a request header, an
/// HMAC key, a database login, a child process's environment): searching for `.revealed` lists every
/// place a secret leaves urlpoll.
public struct Secret<Value: Sendable & Equatable>: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomLeafReflectable, Encodable
{
    /// What every description of a secret says.
    public static var redacted: String { "<redacted>" }

    private let value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// The value itself, for the one place that sends it.
    public var revealed: Value { value }

    public var description: String { Self.redacted }
    public var debugDescription: String { Self.redacted }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.redacted)
    }
}

extension Secret where Value == String {
    /// Whether the value is the empty string.
    public var isEmpty: Bool { value.isEmpty }
}

/// A secret written in the source (tests, and placeholders such as the test alert's): `"token"`.
extension Secret: ExpressibleByStringLiteral, ExpressibleByUnicodeScalarLiteral, ExpressibleByExtendedGraphemeClusterLiteral
where Value == String {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
