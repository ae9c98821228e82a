import Mustache

/// Mustache escaping for text inside a JSON string (`"{{summary}}"`): quotes, backslashes and control
/// characters are escaped, so any status text or URL keeps the body valid JSON. Registered (once, before
/// any template is parsed) as the content type `JSON`; ``TemplateRenderer`` selects it for JSON bodies.
struct JSONStringContentType: MustacheContentType {
    static let name = "JSON"

    func escapeText(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Registers the type; safe to call more than once (the registry is a dictionary).
    static let registered: Bool = {
        MustacheContentTypes.register(JSONStringContentType(), named: name)
        return true
    }()
}
