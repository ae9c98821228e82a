import Foundation

/// One configured receiver (`alerts:` in the config file): where its announcements go, and which of
/// them it wants. Resolved and validated by the config loader; a pure value.
///
/// Its secrets (the URL of every HTTP receiver, header values, the signing secret, template values such
/// as a routing key, a command's configured environment) are ``Secret``s, never printed: ``summary``
/// shows the kind and the scheme and host only, and the settings describe themselves with it.
public struct AlertReceiverSettings: Sendable, Equatable, CustomStringConvertible {
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
        case webhook(url: Secret<String>, headers: [HeaderField], secret: Secret<String>?)
        /// A body rendered from a Mustache template (or a preset's) and posted to `url`; `variables` are
        /// the template's own values (`routing-key`, `topic`, `severity`).
        case template(
            url: Secret<String>,
            headers: [HeaderField],
            template: TemplateSource,
            contentType: String,
            variables: [String: Secret<String>]
        )
        /// A Prometheus Alertmanager: alerts are posted to `url` + `/api/v2/alerts`.
        case alertmanager(url: Secret<String>, headers: [HeaderField])
        /// A program run with the event in its environment (and `environment`, the configured `env:`) and
        /// as JSON on standard input.
        case command(path: String, arguments: [String], environment: [String: Secret<String>] = [:])
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

    /// Whether this receiver hears about the URL `url` named `name`: a pattern matches its name, its shown
    /// form or its configured form.
    public func covers(url: TargetURL, name: String?) -> Bool {
        urls.isEmpty || urls.contains { $0.matches(url.shown) || $0.matches(url.configured) || (name.map($0.matches) ?? false) }
    }

    public var description: String { "\(name) (\(summary))" }

    /// The kind and where it sends, without secrets: `webhook to https://hooks.example`.
    public var summary: String {
        switch kind {
        case .webhook(let url, _, let secret): "webhook to \(Self.origin(of: url.revealed))\(secret == nil ? "" : ", signed")"
        case .template(let url, _, let template, _, _):
            switch template {
            case .preset(let preset): "\(preset) (template) to \(Self.origin(of: url.revealed))"
            case .text: "template to \(Self.origin(of: url.revealed))"
            }
        case .alertmanager(let url, _): "alertmanager at \(Self.origin(of: url.revealed))"
        case .command(let path, _, _): "command \(Excerpt.quoted(path))"
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
