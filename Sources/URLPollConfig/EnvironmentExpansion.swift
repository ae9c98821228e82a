import URLPollCore

/// Replaces `${NAME}` in config strings with the environment variable `NAME`. Pure: the environment is
/// passed in.
///
/// `$${` writes a literal `${`. A variable that is not set is an error (a token silently replaced by
/// nothing would be sent to the server). Names are letters, digits and `_`, not starting with a digit.
enum EnvironmentExpansion {
    /// - Throws: ``InputError`` naming the unset variable or the malformed reference (never the value).
    static func expand(_ text: String, environment: [String: String]) throws(InputError) -> String {
        try expandNotingVariables(text, environment: environment).text
    }

    /// As ``expand(_:environment:)``, and whether any `${NAME}` was replaced (such a value is treated as
    /// a credential: see ``HeaderField/isSensitive``).
    static func expandNotingVariables(_ text: String, environment: [String: String]) throws(InputError) -> (text: String, usedVariables: Bool) {
        guard text.contains("$") else { return (text, false) }
        var usedVariables = false
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                result += "${"
                rest = after.dropFirst(2)
            } else if after.hasPrefix("{") {
                guard let close = after.firstIndex(of: "}") else {
                    throw InputError("unclosed ${ in a value (write ${NAME}, or $${ for a literal ${)")
                }
                let name = String(after[after.index(after: after.startIndex)..<close])
                guard isValidName(name) else {
                    throw InputError("\"${\(name)}\" is not a valid variable reference (names are letters, digits and _)")
                }
                guard let value = environment[name] else {
                    throw InputError("environment variable \(name) is not set")
                }
                result += value
                usedVariables = true
                rest = after[after.index(after: close)...]
            } else {
                result += "$"
                rest = after
            }
        }
        return (result + rest, usedVariables)
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
