/// One accepted URL from the command line or a URL-list file, with where it came from.
public struct URLListEntry: Sendable, Equatable {
    /// Where a URL was written: a file and line, or a command-line argument.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case argument(position: Int)
        case file(name: String, line: Int)

        public var description: String {
            switch self {
            case .argument(let position): "argument \(position)"
            case .file(let name, let line): "\(name):\(line)"
            }
        }
    }

    public let url: String
    public let origin: Origin

    public init(url: String, origin: Origin) {
        self.url = url
        self.origin = origin
    }
}
