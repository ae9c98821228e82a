/// One accepted URL from the command line, a URL-list file or a config file, with where it came from
/// and, for a config-file entry, how to check it.
public struct URLListEntry: Sendable {
    /// Where a URL was written: a file and line, or a command-line argument.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case argument(position: Int)
        case file(name: String, line: Int)
        case config(name: String, line: Int, column: Int)

        public var description: String {
            switch self {
            case .argument(let position): "argument \(position)"
            case .file(let name, let line): "\(name):\(line)"
            case .config(let name, let line, let column): "\(name):\(line):\(column)"
            }
        }
    }

    public let url: String
    public let origin: Origin
    /// How to check the URL; `nil` means the defaults.
    public let options: CheckOptions?

    public init(url: String, origin: Origin, options: CheckOptions? = nil) {
        self.url = url
        self.origin = origin
        self.options = options
    }
}
