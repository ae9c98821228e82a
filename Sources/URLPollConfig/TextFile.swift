import Foundation
import URLPollCore

/// Reads the text files urlpoll is given (URL lists, config files), with one clear message per failure.
package enum TextFile {
    /// The UTF-8 text of the file at `path`.
    ///
    /// - Parameter kind: what the file is, for messages: `URL list`, `config file`.
    /// - Throws: ``InputError`` naming the path: no such file, a directory, not readable, not UTF-8.
    package static func read(_ path: String, kind: String) throws(InputError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("\(path): cannot read the \(kind) (no such file)")
        }
        if isDirectory.boolValue {
            throw InputError("\(path): is a directory, not a \(kind)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw InputError("\(path): cannot read the \(kind) (permission denied)")
        }
        // Decoded straight from the file: no second copy of a large list in memory.
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("\(path): the \(kind) is not UTF-8 text")
        }
        return text
    }
}
