import Foundation
import URLPollCore
import Yams

/// What decoding a config file needs besides the YAML: the file's name (for messages), the environment
/// (for `${NAME}`), and the composed document (for the positions of keys). Passed in the decoder's `userInfo`.
struct ConfigContext {
    let file: String
    let environment: [String: String]
    let root: Node

    static let userInfoKey = CodingUserInfoKey(rawValue: "urlpoll.config")!

    static func of(_ decoder: any Decoder) -> ConfigContext {
        guard let context = decoder.userInfo[userInfoKey] as? ConfigContext else {
            preconditionFailure("config types are decoded by ConfigLoader, which provides the context")
        }
        return context
    }
}

/// A problem at a position in a config file; ``ConfigLoader`` turns it into one `file:line:column: message`.
struct ConfigIssue: Error {
    let message: String
    let mark: Mark?
}

/// Any key of a YAML map.
struct ConfigKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { (self.stringValue, self.intValue) = (stringValue, nil) }
    init(intValue: Int) { (self.stringValue, self.intValue) = ("\(intValue)", intValue) }
}

/// One YAML map being decoded: rejects unknown keys (suggesting the closest known one) and reads values
/// so that every error names the key's path and position. Values of keys listed in ``secretKeys`` are
/// never quoted in a message.
struct ConfigMap {
    private let container: KeyedDecodingContainer<ConfigKey>
    let context: ConfigContext
    /// Where the map is, for messages: `""` at the top, `defaults`, `urls[2]`.
    let path: String
    /// The map's own position.
    let mark: Mark?
    private let codingPath: [any CodingKey]
    /// Keys read as absent (``hiding(_:)``).
    private var hidden: Set<String> = []

    /// - Throws: ``ConfigIssue`` if the node is not a map, or has a key not in `allowed`.
    init(_ decoder: any Decoder, path: String, allowed: [String]) throws(ConfigIssue) {
        context = ConfigContext.of(decoder)
        self.path = path
        mark = decoder.mark
        codingPath = decoder.codingPath
        do {
            container = try decoder.container(keyedBy: ConfigKey.self)
        } catch {
            throw ConfigIssue(message: "\(path.isEmpty ? "the file" : path) must be a map of settings (key: value)", mark: decoder.mark)
        }
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            var message = "unknown key \(Excerpt.quoted(key.stringValue))\(path.isEmpty ? "" : " in \(path)")"
            if let suggestion = Suggestion.closest(to: key.stringValue, among: allowed) {
                message += " (did you mean \"\(suggestion)\"?)"
            }
            throw ConfigIssue(message: message, mark: keyMark(key.stringValue))
        }
    }

    /// The path of `key` for messages: `urls[2].timeout`.
    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The same map with `keys` read as absent: a check kind's own keys, which the HTTP fields must not
    /// read (`expect:` is a status for http, an expression for tcp).
    func hiding(_ keys: [String]) -> ConfigMap {
        var map = self
        map.hidden.formUnion(keys)
        return map
    }

    /// The keys the map holds, in no particular order.
    var keys: [String] { container.allKeys.map(\.stringValue).filter { !hidden.contains($0) } }

    /// The decoder of `key`'s value, if the key is present.
    func decoder(_ key: String) -> (any Decoder)? {
        guard !hidden.contains(key) else { return nil }
        let codingKey = ConfigKey(stringValue: key)
        guard container.contains(codingKey) else { return nil }
        return try? container.superDecoder(forKey: codingKey)
    }

    /// The text of `key`'s value with `${NAME}` expanded, if present. A secret value is never quoted.
    func string(_ key: String, secret: Bool = false) throws(ConfigIssue) -> String? {
        guard let decoder = decoder(key) else { return nil }
        return try Self.text(of: decoder, name: name(key), context: context, secret: secret)
    }

    /// The map under `key`, whatever keys it has (`headers:`, `env:`), and those keys in order; `nil`
    /// without `key`. `what` names its keys in the message for a value that is not a map.
    func openMap(_ key: String, of what: String) throws(ConfigIssue) -> (map: ConfigMap, keys: [String])? {
        guard let decoder = decoder(key) else { return nil }
        let keys: [String]
        do {
            keys = try decoder.container(keyedBy: ConfigKey.self).allKeys.map(\.stringValue)
        } catch {
            throw ConfigIssue(message: "\(name(key)): expected a map of \(what) to values", mark: decoder.mark)
        }
        return (try ConfigMap(decoder, path: name(key), allowed: keys), keys)
    }

    /// The value of `key` (`${NAME}` expanded) as a ``Secret``, if present: never quoted, never kept as
    /// plain text.
    func secret(_ key: String) throws(ConfigIssue) -> Secret<String>? {
        try string(key, secret: true).map(Secret.init)
    }

    /// As ``string(_:secret:)``, and whether the value took any `${NAME}`.
    func stringNotingVariables(_ key: String, secret: Bool = false) throws(ConfigIssue) -> (text: String, usedVariables: Bool)? {
        guard let decoder = decoder(key) else { return nil }
        return try Self.textNotingVariables(of: decoder, name: name(key), context: context, secret: secret)
    }

    /// `key`'s value parsed by `parse`, whose error message is prefixed with the key's path.
    func parsed<T>(_ key: String, _ parse: (String) throws(InputError) -> T) throws(ConfigIssue) -> T? {
        guard let text = try string(key) else { return nil }
        do {
            return try parse(text)
        } catch {
            throw ConfigIssue(message: "\(name(key)): \(error.message)", mark: decoder(key)?.mark)
        }
    }

    /// A whole number in `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigIssue) -> Int? {
        try parsed(key) { text throws(InputError) in
            guard let value = Int(text) else { throw InputError("expected a whole number, got \(Excerpt.quoted(text))") }
            guard range.contains(value) else {
                throw InputError("must be from \(range.lowerBound) to \(range.upperBound) (got \(value))")
            }
            return value
        }
    }

    /// `true` or `false`.
    func bool(_ key: String) throws(ConfigIssue) -> Bool? {
        try parsed(key) { text throws(InputError) in
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw InputError("expected true or false, got \(Excerpt.quoted(text))")
            }
        }
    }

    /// A list of texts (or one text), each with its decoder for messages; `nil` when the key is absent.
    func list(_ key: String) throws(ConfigIssue) -> [(text: String, decoder: any Decoder)]? {
        guard let decoder = decoder(key) else { return nil }
        guard var list = try? decoder.unkeyedContainer() else {
            return [(try Self.text(of: decoder, name: name(key), context: context), decoder)]
        }
        var elements: [(text: String, decoder: any Decoder)] = []
        while !list.isAtEnd, let element = try? list.superDecoder() {
            elements.append((try Self.text(of: element, name: "\(name(key))[\(elements.count)]", context: context), element))
        }
        return elements
    }

    /// A file path; a relative one is taken from the config file's folder. Empty is an error.
    func path(_ key: String) throws(ConfigIssue) -> String? {
        guard let text = try string(key) else { return nil }
        guard !text.isEmpty else { throw ConfigIssue(message: "\(name(key)): must not be empty", mark: decoder(key)?.mark) }
        if text.hasPrefix("/") { return text }
        let folder = (context.file as NSString).deletingLastPathComponent
        return folder.isEmpty ? text : (folder as NSString).appendingPathComponent(text)
    }

    /// A duration such as `10s`; `positive` rejects `0s`.
    func duration(_ key: String, positive: Bool = true) throws(ConfigIssue) -> Duration? {
        try parsed(key) { text throws(InputError) in
            let value = try DurationFormat.parse(text)
            if positive && value <= .zero { throw InputError("must be longer than 0s") }
            return value
        }
    }

    /// The text of a scalar value, `${NAME}` expanded.
    static func text(of decoder: any Decoder, name: String, context: ConfigContext, secret: Bool = false) throws(ConfigIssue) -> String {
        try textNotingVariables(of: decoder, name: name, context: context, secret: secret).text
    }

    /// As ``text(of:name:context:secret:)``, and whether the value took any `${NAME}`.
    static func textNotingVariables(
        of decoder: any Decoder,
        name: String,
        context: ConfigContext,
        secret: Bool = false
    ) throws(ConfigIssue) -> (text: String, usedVariables: Bool) {
        let raw: String
        do {
            raw = try decoder.singleValueContainer().decode(String.self)
        } catch {
            throw ConfigIssue(message: "\(name): expected a single value, found a \(kind(of: decoder))", mark: decoder.mark)
        }
        do {
            return try EnvironmentExpansion.expandNotingVariables(raw, environment: context.environment)
        } catch {
            throw ConfigIssue(message: "\(name): \(error.message)", mark: decoder.mark)
        }
    }

    /// `list` or `map`, for type errors.
    static func kind(of decoder: any Decoder) -> String {
        (try? decoder.unkeyedContainer()) != nil ? "list" : "map"
    }

    /// The position of `key` itself (not its value) in this map.
    func keyMark(_ key: String) -> Mark? {
        var node: Node? = context.root
        for step in codingPath {
            if let index = step.intValue, let sequence = node?.sequence, sequence.indices.contains(index) {
                node = sequence[index]
            } else {
                node = node?.mapping?[step.stringValue]
            }
        }
        return node?.mapping?.first(where: { $0.key.string == key })?.key.mark ?? mark
    }
}

/// A `urls:` entry as a check kind reads its own keys.
extension ConfigMap: CheckSettingsReader {
    func text(_ key: String) throws(CheckSettingIssue) -> String? {
        do {
            return try string(key)
        } catch {
            throw CheckSettingIssue(key: key, error.message)
        }
    }

    func flag(_ key: String) throws(CheckSettingIssue) -> Bool? {
        do {
            return try bool(key)
        } catch {
            throw CheckSettingIssue(key: key, error.message)
        }
    }

    func texts(_ key: String) throws(CheckSettingIssue) -> [String]? {
        do {
            return try list(key)?.map(\.text)
        } catch {
            throw CheckSettingIssue(key: key, error.message)
        }
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(CheckSettingIssue) -> Int? {
        do {
            return try int(key, in: range)
        } catch {
            throw CheckSettingIssue(key: key, error.message)
        }
    }

    /// `issue` as the loader reports it: the key's path (unless the message starts with it) and position.
    func configIssue(_ issue: CheckSettingIssue) -> ConfigIssue {
        let path = name(issue.key)
        let message = issue.message.hasPrefix(path) ? issue.message : "\(path): \(issue.message)"
        return ConfigIssue(message: message, mark: decoder(issue.key)?.mark ?? keyMark(issue.key))
    }
}
