/// Why the history database cannot be used: one message that names the path, for the one error line
/// (exit status 64). Never a stack trace, and the file is left as it was.
public struct StoreError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
