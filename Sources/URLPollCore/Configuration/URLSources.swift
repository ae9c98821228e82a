import Foundation

/// Gathers the URLs to monitor from command-line arguments and a URL-list file (`-` = standard input).
///
/// This is the I/O edge around ``URLListParser``: it reads the file, then parses.
public enum URLSources {
    /// The targets from `arguments` (first) and the file at `path` (then), each URL once.
    ///
    /// - Throws: ``InputError`` when the file cannot be read, holds an invalid URL (naming file and line)
    ///   or holds no URL, when an argument is not a valid URL, or when no URL was given at all.
    public static func load(arguments: [String], file path: String?) throws(InputError) -> TargetList {
        var entries: [URLListEntry] = []
        for (position, argument) in arguments.enumerated() {
            entries.append(try URLListParser.argument(argument, position: position + 1))
        }
        if let path {
            let source = path == "-" ? "<stdin>" : path
            entries += try URLListParser.parse(try read(path), source: source)
        }
        if entries.isEmpty {
            throw InputError("no URLs to poll: give URLs as arguments or a URL list with --file PATH")
        }
        return TargetList(entries)
    }

    private static func read(_ path: String) throws(InputError) -> String {
        let data: Data?
        if path == "-" {
            data = try? FileHandle.standardInput.readToEnd() ?? Data()
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw InputError("\(path): is a directory, not a URL list")
            }
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else {
            throw InputError(
                "\(path): cannot read the URL list (\(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"))"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("\(path): the URL list is not UTF-8 text")
        }
        return text
    }
}
