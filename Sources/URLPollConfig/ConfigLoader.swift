import Foundation
import URLPollCore
import Yams

/// Reads and decodes config files, turning every problem into one ``InputError`` that names the file,
/// line and column: YAML syntax, unknown keys (with a suggestion), wrong types, invalid durations, URLs,
/// expressions, status ranges and unset environment variables. Header values never appear in a message.
package enum ConfigLoader {
    /// Decodes the text of a config file.
    ///
    /// - Parameters:
    ///   - file: the name to quote in errors.
    ///   - environment: the variables `${NAME}` may use.
    /// - Throws: ``InputError`` (`file:line:column: what`).
    package static func parse(_ text: String, file: String, environment: [String: String]) throws(InputError) -> ConfigFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw InputError("\(file): the config file is empty (it needs at least a urls: list)")
            }
            root = node
        } catch let error as InputError {
            throw error
        } catch let error as YamlError {
            throw InputError(describe(error, file: file))
        } catch {
            throw InputError("\(file): cannot read the YAML (\(error))")
        }
        let context = ConfigContext(file: file, environment: environment, root: root)
        do {
            return try YAMLDecoder().decode(ConfigFile.self, from: root, userInfo: [ConfigContext.userInfoKey: context])
        } catch let issue as ConfigIssue {
            throw InputError("\(file)\(position(issue.mark)): \(issue.message)")
        } catch let error as YamlError {
            throw InputError(describe(error, file: file))
        } catch {
            throw InputError("\(file): \(error)")
        }
    }

    /// Reads and decodes the config file at `path`.
    ///
    /// - Throws: ``InputError`` when the file cannot be read or is invalid.
    package static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(InputError) -> ConfigFile {
        let text = try TextFile.read(path, kind: "config file")
        return try parse(text, file: path, environment: environment)
    }

    private static func position(_ mark: Mark?) -> String {
        guard let mark else { return "" }
        return ":\(mark.line):\(mark.column)"
    }

    private static func describe(_ error: YamlError, file: String) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return "\(file)\(position(mark)): invalid YAML: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "\(file)\(position(context.mark)): a key appears twice in one map: \(duplicates.joined(separator: ", "))"
        default:
            return "\(file): invalid YAML: \(error)"
        }
    }
}
