import Mustache
import URLPollCore

/// Mustache escaping for text inside a JSON string (`"{{summary}}"`): quotes, backslashes and control
/// characters are escaped, so any status text or URL keeps the body valid JSON. Registered (once, before
/// any template is parsed) as the content type `JSON`; ``TemplateReceiver`` selects it for JSON bodies.
struct JSONStringContentType: MustacheContentType {
    static let name = "JSON"

    func escapeText(_ text: String) -> String {
        JSONReport.escape(text)
    }

    /// Registers the type; safe to call more than once (the registry is a dictionary).
    static let registered: Bool = {
        MustacheContentTypes.register(JSONStringContentType(), named: name)
        return true
    }()
}
