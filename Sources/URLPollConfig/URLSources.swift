import Foundation
import URLPollChecks
import URLPollCore

/// Gathers the URLs to monitor from command-line arguments, a URL-list file (`-` = standard input) and
/// the entries of a config file.
///
/// This is the I/O edge around ``URLListParser``: it reads the file, then parses.
package enum URLSources {
    /// The targets from `arguments` (first), the file at `path` (then) and `configEntries` (last), each URL
    /// once (the first mention wins).
    ///
    /// - Parameters:
    ///   - defaults: the options of URLs from arguments and lists.
    ///   - requiresURLs: whether no URL at all is an error (it is for a run, not for `test-alert`).
    /// - Throws: ``InputError`` when the file cannot be read, holds an invalid URL (naming file and line)
    ///   or holds no URL, when an argument is not a valid URL, or when no URL was given at all.
    package static func load(
        arguments: [String],
        file path: String?,
        configEntries: [URLListEntry] = [],
        defaults: CheckOptions = CheckOptions(),
        requiresURLs: Bool = true
    ) throws(InputError) -> TargetList {
        var entries: [URLListEntry] = []
        for (position, argument) in arguments.enumerated() {
            entries.append(try URLListParser.argument(argument, position: position + 1))
        }
        if let path {
            let source = path == "-" ? "<stdin>" : path
            entries += try URLListParser.parse(try read(path), source: source)
        }
        entries += configEntries
        if entries.isEmpty && requiresURLs {
            throw InputError("no URLs to poll: give URLs as arguments, a URL list with --file PATH, or a config file with urls:")
        }
        return TargetList(try entries.map { entry throws(InputError) in try checking(entry, defaults: defaults) }, defaults: defaults)
    }

    /// `entry` with the check its URL's kind makes from the URL alone, when it is not an http URL and has
    /// no options yet (a URL given as an argument, in a list, or as a plain string in a config file).
    private static func checking(_ entry: URLListEntry, defaults: CheckOptions) throws(InputError) -> URLListEntry {
        guard entry.options == nil, let components = URLComponents(string: entry.url),
            let kind = components.scheme.flatMap(CheckKinds.kind(forScheme:))
        else { return entry }
        do {
            let check = try kind.spec(for: components, settings: NoCheckSettings())
            return URLListEntry(url: entry.url, origin: entry.origin, options: defaults.checking(check))
        } catch {
            throw InputError("\(entry.origin): \(error.message)")
        }
    }

    private static func read(_ path: String) throws(InputError) -> String {
        if path == "-" {
            let data = (try? FileHandle.standardInput.readToEnd()) ?? Data()
            guard let text = String(data: data, encoding: .utf8) else {
                throw InputError("<stdin>: the URL list is not UTF-8 text")
            }
            return text
        }
        return try TextFile.read(path, kind: "URL list")
    }
}
