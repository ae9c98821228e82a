/// One request header a check sends.
///
/// The value is a secret (a token, a password): it is sent to the server and nowhere else. `description`
/// and every report, log line and error message show the name only.
public struct HeaderField: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `Name: <redacted>`.
    public var description: String { "\(name): <redacted>" }
}
