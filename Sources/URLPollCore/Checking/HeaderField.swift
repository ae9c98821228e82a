/// One request header a check (or an alert receiver) sends.
///
/// The value is a ``Secret`` (a token, a password): it is sent to the server and nowhere else;
/// `description`, dumps and every report, log line and error message show the name only. A *sensitive* header is moreover
/// never sent to another origin than the URL's own when a redirect leads elsewhere
/// (``RedirectHeaders``).
public struct HeaderField: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: Secret<String>
    /// Whether the header carries a credential that must not follow a redirect to another origin:
    /// always for `Authorization`, `Proxy-Authorization` and `Cookie`; for others when the configuration
    /// says so (`sensitive-headers:`, or a value taken from `${NAME}`).
    public let isSensitive: Bool

    /// The headers that are sensitive whatever the configuration says (lowercased).
    public static let alwaysSensitive: Set<String> = ["authorization", "proxy-authorization", "cookie"]

    public init(name: String, value: String, isSensitive: Bool = false) {
        self.name = name
        self.value = Secret(value)
        self.isSensitive = isSensitive || Self.alwaysSensitive.contains(name.lowercased())
    }

    /// The same header, sensitive (it never follows a redirect to another origin).
    public var sensitive: HeaderField {
        HeaderField(name: name, secret: value)
    }

    private init(name: String, secret: Secret<String>) {
        self.name = name
        self.value = secret
        self.isSensitive = true
    }

    /// Whether the header's name is `lowercasedName`, ignoring case.
    func `is`(_ lowercasedName: String) -> Bool {
        name.utf8.count == lowercasedName.utf8.count && name.lowercased() == lowercasedName
    }

    /// `Name: <redacted>`.
    public var description: String { "\(name): <redacted>" }
}
