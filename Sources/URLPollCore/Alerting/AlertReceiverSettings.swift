import Foundation

/// One configured receiver (`alerts:` in the config file): where its announcements go, and which of
/// them it wants. Resolved and validated by the config loader; a pure value.
///
/// Its secrets (the URL of a `webhook` or `template` receiver, header values, the signing secret, a
/// routing key) are never printed: ``summary`` shows the scheme and host only.
public struct AlertReceiverSettings: Sendable, Equatable {
    public let name: String
    public let kind: Kind
    public let failureThreshold: Int
    public let successThreshold: Int
    /// Re-announce while down this often; `alertmanager` receivers default to every minute (an alert
    /// Alertmanager hears nothing about expires).
    public let repeatInterval: Duration?
    /// Names or URLs this receiver hears about (any pattern matches); empty means every URL.
    public let urls: [GlobPattern]
    public let sendOnRecovery: Bool
    /// Bounds one delivery attempt.
    public let timeout: Duration
    /// Attempts per announcement before it is given up (with a log line).
    public let attempts: Int

    public enum Kind: Sendable, Equatable {
        /// A JSON payload (``AlertEvent`` in the documented version-1 shape), signed when `secret` is set.
        case webhook(url: String, headers: [HeaderField], secret: String?)
        /// A body rendered from a Mustache template (or a preset's) and posted to `url`.
        case template(url: String, headers: [HeaderField], template: TemplateSource, contentType: String, variables: [String: String])
        /// A Prometheus Alertmanager: alerts are posted to `url` + `/api/v2/alerts`.
        case alertmanager(url: String, headers: [HeaderField])
        /// A program run with the event in its environment and as JSON on standard input.
        case command(path: String, arguments: [String])
    }

    /// Where a template receiver's template comes from.
    public enum TemplateSource: Sendable, Equatable {
        case preset(String)
        case text(String)
    }

    public static let defaultTimeout: Duration = .seconds(10)
    public static let defaultAttempts = 6
    public static let alertmanagerRepeat: Duration = .seconds(60)

    public init(
        name: String,
        kind: Kind,
        failureThreshold: Int = AlertRule.defaultFailureThreshold,
        successThreshold: Int = AlertRule.defaultSuccessThreshold,
        repeatInterval: Duration? = nil,
        urls: [GlobPattern] = [],
        sendOnRecovery: Bool = true,
        timeout: Duration = AlertReceiverSettings.defaultTimeout,
        attempts: Int = AlertReceiverSettings.defaultAttempts
    ) {
        self.name = name
        self.kind = kind
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        if case .alertmanager = kind {
            self.repeatInterval = min(repeatInterval ?? Self.alertmanagerRepeat, Self.alertmanagerRepeat)
        } else {
            self.repeatInterval = repeatInterval
        }
        self.urls = urls
        self.sendOnRecovery = sendOnRecovery
        self.timeout = timeout
        self.attempts = attempts
    }

    /// Whether this receiver hears about the URL `url` named `name`.
    public func covers(url: String, name: String?) -> Bool {
        urls.isEmpty || urls.contains { $0.matches(url) || (name.map($0.matches) ?? false) }
    }

    /// The kind and where it sends, without secrets: `webhook to https://hooks.example`.
    public var summary: String {
        switch kind {
        case .webhook(let url, _, let secret): "webhook to \(Self.origin(of: url))\(secret == nil ? "" : ", signed")"
        case .template(let url, _, let template, _, _):
            switch template {
            case .preset(let preset): "\(preset) (template) to \(Self.origin(of: url))"
            case .text: "template to \(Self.origin(of: url))"
            }
        case .alertmanager(let url, _): "alertmanager at \(Self.origin(of: url))"
        case .command(let path, _): "command \(Excerpt.quoted(path))"
        }
    }

    /// The scheme, host and port of `url`: never its path or query, which may hold a token.
    public static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "<invalid URL>"
        }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }
}
