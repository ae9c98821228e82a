/// A problem with what the user gave urlpoll: a URL list, a URL, a flag value.
///
/// Its ``message`` is complete and names where the problem is (file and line, or the argument);
/// the command line prints it as it is and exits with status 64 (`EX_USAGE`).
public struct InputError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
