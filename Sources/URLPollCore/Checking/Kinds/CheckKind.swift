import Foundation

/// A kind of check other than HTTP (TCP, later DNS, ICMP, gRPC): how its URLs are written, which config
/// keys it reads, and how a URL and its settings become a ``CheckSpec`` that polls run.
///
/// HTTP is the built-in kind: its URLs (`http`, `https`) take the original path through ``ProbeSession``
/// and ``CheckVerdict``, unchanged. Every other kind is a value registered in one list (`CheckKinds` in
/// the `URLPollChecks` target); the config loader, the URL lists and the command line ask that list.
///
/// Pure: parsing reads only the URL and the settings it is given, and throws ``CheckSettingIssue`` (the
/// config loader adds file, line and column).
public protocol CheckKind: Sendable {
    /// The kind's name in reports, the API and the docs (`"tcp"`).
    var name: CheckKindName { get }
    /// The URL schemes that choose this kind (lowercase, without `://`).
    var schemes: [String] { get }
    /// The config keys of this kind's own (besides the keys every kind shares), as a `urls:` entry writes them.
    var keys: [String] { get }

    /// What is wrong with `url` for this kind, or `nil` if it can be polled (the scheme is one of ``schemes``).
    func problem(with url: URLComponents) -> String?

    /// The check for `url` with `settings` (a `urls:` entry's own keys; none for a URL given alone).
    ///
    /// - Throws: ``CheckSettingIssue`` naming the key whose value is wrong.
    func spec(for url: URLComponents, settings: any CheckSettingsReader) throws(CheckSettingIssue) -> any CheckSpec

    /// Whether checks of `url` with `settings` make a TLS handshake, so that the TLS keys (`ca-file`,
    /// `client-cert`, `server-name`, `min-tls-version`, `insecure-tls`, `cert-expiry-warning`, …) apply;
    /// `false` by default.
    func usesTLS(_ url: URLComponents, settings: any CheckSettingsReader) throws(CheckSettingIssue) -> Bool
}

extension CheckKind {
    public func usesTLS(_ url: URLComponents, settings: any CheckSettingsReader) throws(CheckSettingIssue) -> Bool { false }
}

/// What a check kind is called: `http`, `tcp`, `tls`, `dns`, `icmp`, `grpc`. Reports show it as `kind`.
public struct CheckKindName: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// The kind a URL's scheme chooses: `http` for http and https; for the rest the scheme itself, without
    /// a variant's suffix (`grpcs` is `grpc`, `dns+tcp` is `dns`). A test holds every registered kind to it.
    public init(scheme: String) {
        let scheme = scheme.lowercased()
        switch scheme {
        case "http", "https": self = .http
        case "grpcs": self.init("grpc")
        default: self.init(scheme.split(separator: "+").first.map(String.init) ?? scheme)
        }
    }

    public var description: String { rawValue }

    public static let http = CheckKindName("http")
    public static let tcp = CheckKindName("tcp")
    public static let tls = CheckKindName("tls")
    public static let dns = CheckKindName("dns")
}

/// Reads a kind's own config keys: the `urls:` entry of a config file, or nothing for a URL given alone.
/// Each method returns `nil` for a key that is absent.
public protocol CheckSettingsReader {
    /// - Throws: ``CheckSettingIssue`` when the value is not text.
    func text(_ key: String) throws(CheckSettingIssue) -> String?
    /// - Throws: ``CheckSettingIssue`` when the value is not `true` or `false`.
    func flag(_ key: String) throws(CheckSettingIssue) -> Bool?
    /// One text or a list of texts.
    /// - Throws: ``CheckSettingIssue`` when an element is not text.
    func texts(_ key: String) throws(CheckSettingIssue) -> [String]?
    /// - Throws: ``CheckSettingIssue`` when the value is not a whole number in `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(CheckSettingIssue) -> Int?
}

/// The settings of a URL given without any (on the command line or in a URL list).
public struct NoCheckSettings: CheckSettingsReader {
    public init() {}
    public func text(_ key: String) throws(CheckSettingIssue) -> String? { nil }
    public func flag(_ key: String) throws(CheckSettingIssue) -> Bool? { nil }
    public func texts(_ key: String) throws(CheckSettingIssue) -> [String]? { nil }
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(CheckSettingIssue) -> Int? { nil }
}

/// A key whose value a check kind cannot use: the key and why, without where (the config loader says
/// where: file, line and column).
public struct CheckSettingIssue: Error, Equatable {
    public let key: String
    public let message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }
}
