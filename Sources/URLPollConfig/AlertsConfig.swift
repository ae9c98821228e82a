import Foundation
import URLPollCore
import Yams

/// The alert parts of a config file: `alerts:` (the receivers), `self-check:`, `connectivity-check:` and
/// `instance:`. Decoded with the rest of ``ConfigFile``; every value is checked here, so every error has
/// a position. Secrets (receiver URLs, header values, `secret:`, template values, `env:` values) are read
/// into ``Secret``s and never quoted. A receiver URL's userinfo (`https://user:pass@host/`) is sent as
/// `Authorization: Basic` (unless `headers:` sets `Authorization`), as a monitored URL's is.
///
/// ```yaml
/// alerts:
///   - name: ops
///     webhook: { url: "https://hooks.example/urlpoll", secret: "${HOOK_SECRET}" }
///     failure-threshold: 3
///     repeat: 1h
///   - name: chat
///     template: { preset: slack, url: "${SLACK_WEBHOOK_URL}" }
///     urls: ["api-*"]
/// ```
struct AlertsConfig: Sendable, Equatable {
    var receivers: [AlertReceiverSettings] = []
    var selfCheck = ConnectivityJudge.Rule()
    var connectivityCheck: TargetURL?
    var instance: String?

    static let receiverKeys = [
        "name", "webhook", "template", "alertmanager", "command", "env", "failure-threshold", "success-threshold", "repeat", "urls",
        "send-on-recovery", "timeout", "attempts",
    ]
    static let kinds = ["webhook", "template", "alertmanager", "command"]
    /// The template presets, by name.
    static let presets = ["slack", "discord", "teams", "pagerduty", "ntfy"]

    init() {}

    /// Reads the alert keys of the file's top-level map.
    init(_ map: ConfigMap) throws(ConfigIssue) {
        if let decoder = map.decoder("alerts") {
            guard var list = try? decoder.unkeyedContainer() else {
                throw ConfigIssue(message: "alerts: expected a list of receivers", mark: decoder.mark)
            }
            while !list.isAtEnd, let element = try? list.superDecoder() {
                let receiver = try Self.receiver(ConfigMap(element, path: "alerts[\(receivers.count)]", allowed: Self.receiverKeys))
                if receivers.contains(where: { $0.name == receiver.name }) {
                    throw ConfigIssue(
                        message: "alerts[\(receivers.count)]: a second receiver named \(Excerpt.quoted(receiver.name))",
                        mark: element.mark
                    )
                }
                receivers.append(receiver)
            }
        }
        if let block = map.decoder("self-check") {
            let check = try ConfigMap(block, path: "self-check", allowed: ["minimum-urls", "share", "window"])
            selfCheck.minimumURLs = try check.int("minimum-urls", in: 1...1_000_000) ?? selfCheck.minimumURLs
            selfCheck.share = try check.parsed("share") { text throws(InputError) in try Self.share(text) } ?? selfCheck.share
            selfCheck.window = try check.duration("window") ?? selfCheck.window
        }
        connectivityCheck = try map.parsed("connectivity-check") { text throws(InputError) in
            if let problem = URLListParser.problem(with: text) {
                throw InputError("invalid URL \(Excerpt.quoted(URLRedaction.standard.redact(text))): \(problem)")
            }
            return TargetURL(text)
        }
        selfCheck.usesConnectivityCheck = connectivityCheck != nil
        instance = try map.string("instance")
        if instance?.isEmpty == true { throw ConfigIssue(message: "instance: must not be empty", mark: map.decoder("instance")?.mark) }
    }

    /// `100%`, `90%` or `0.9`.
    static func share(_ text: String) throws(InputError) -> Double {
        let number = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let number, number > 0, number <= 1 else {
            throw InputError("expected a share above 0 and at most 100% (such as 90% or 0.9), got \(Excerpt.quoted(text))")
        }
        return number
    }

    private static func receiver(_ map: ConfigMap) throws(ConfigIssue) -> AlertReceiverSettings {
        guard let name = try map.string("name"), !name.isEmpty else {
            throw ConfigIssue(message: "\(map.path): every receiver needs a name", mark: map.mark)
        }
        let given = kinds.filter { map.decoder($0) != nil }
        guard given.count == 1 else {
            throw ConfigIssue(
                message: "\(map.path): a receiver needs exactly one of \(kinds.joined(separator: ", "))"
                    + (given.isEmpty ? "" : " (found \(given.joined(separator: " and ")))"),
                mark: map.mark
            )
        }
        let kind = try Self.kind(given[0], in: map)
        if map.decoder("env") != nil, given[0] != "command" {
            throw ConfigIssue(message: "\(map.name("env")): only a command receiver takes env", mark: map.keyMark("env"))
        }
        var patterns: [GlobPattern] = []
        if let list = try map.list("urls") {
            patterns = list.map { GlobPattern($0.text) }
        }
        return AlertReceiverSettings(
            name: name,
            kind: kind,
            failureThreshold: try map.int("failure-threshold", in: AlertRule.thresholdRange) ?? AlertRule.defaultFailureThreshold,
            successThreshold: try map.int("success-threshold", in: AlertRule.thresholdRange) ?? AlertRule.defaultSuccessThreshold,
            repeatInterval: try map.duration("repeat"),
            urls: patterns,
            sendOnRecovery: try map.bool("send-on-recovery") ?? true,
            timeout: try map.duration("timeout") ?? AlertReceiverSettings.defaultTimeout,
            attempts: try map.int("attempts", in: 1...100) ?? AlertReceiverSettings.defaultAttempts
        )
    }

    private static func kind(_ key: String, in map: ConfigMap) throws(ConfigIssue) -> AlertReceiverSettings.Kind {
        let decoder = map.decoder(key)!
        let path = map.name(key)
        switch key {
        case "webhook":
            let block = try ConfigMap(decoder, path: path, allowed: ["url", "secret", "headers"])
            let secret = try block.secret("secret")
            if secret?.isEmpty == true {
                throw ConfigIssue(message: "\(block.name("secret")): must not be empty", mark: block.decoder("secret")?.mark)
            }
            let (url, headers) = try receiverURL(block)
            return .webhook(url: url, headers: headers, secret: secret)
        case "template":
            let block = try ConfigMap(
                decoder,
                path: path,
                allowed: ["preset", "body", "url", "headers", "content-type", "routing-key", "topic", "severity"]
            )
            let preset = try block.string("preset")
            let body = try block.string("body")
            let source: AlertReceiverSettings.TemplateSource
            switch (preset, body) {
            case (let preset?, nil):
                guard presets.contains(preset) else {
                    var message = "\(block.name("preset")): no preset \(Excerpt.quoted(preset)) (there are \(presets.joined(separator: ", ")))"
                    if let suggestion = Suggestion.closest(to: preset, among: presets) { message += " (did you mean \"\(suggestion)\"?)" }
                    throw ConfigIssue(message: message, mark: block.decoder("preset")?.mark)
                }
                source = .preset(preset)
            case (nil, let body?):
                source = .text(body)
            default:
                throw ConfigIssue(message: "\(path): give either preset or body", mark: decoder.mark)
            }
            var variables: [String: Secret<String>] = [:]
            for variable in ["routing-key", "topic", "severity"] {
                if let value = try block.secret(variable) { variables[variable] = value }
            }
            if preset == "pagerduty" && variables["routing-key"] == nil {
                throw ConfigIssue(message: "\(path): the pagerduty preset needs routing-key", mark: decoder.mark)
            }
            let (url, headers) = try receiverURL(block)
            return .template(
                url: url,
                headers: headers,
                template: source,
                contentType: try block.string("content-type") ?? "application/json",
                variables: variables
            )
        case "alertmanager":
            if (try? decoder.singleValueContainer().decode(String.self)) != nil {
                let text = try ConfigMap.text(of: decoder, name: path, context: map.context, secret: true)
                let (url, authorization) = try receiverURL(text, name: path, mark: decoder.mark)
                return .alertmanager(url: url, headers: authorization.map { [$0] } ?? [])
            }
            let block = try ConfigMap(decoder, path: path, allowed: ["url", "headers"])
            let (url, headers) = try receiverURL(block)
            return .alertmanager(url: url, headers: headers)
        default:
            guard let words = try map.list("command"), let first = words.first, !first.text.isEmpty else {
                throw ConfigIssue(message: "\(path): give the program (and its arguments) as a list", mark: decoder.mark)
            }
            return .command(path: first.text, arguments: words.dropFirst().map(\.text), environment: try environment(map))
        }
    }

    /// `url:` and `headers:` of a receiver: the URL http or https, with a host, never quoted (a token
    /// may be in it); its userinfo becomes an `Authorization` header unless `headers:` has one.
    private static func receiverURL(_ block: ConfigMap) throws(ConfigIssue) -> (Secret<String>, [HeaderField]) {
        guard let text = try block.string("url", secret: true) else {
            throw ConfigIssue(message: "\(block.path): needs a url", mark: block.mark)
        }
        let (url, authorization) = try receiverURL(text, name: block.name("url"), mark: block.decoder("url")?.mark)
        var headers = try headers(block)
        if let authorization, !headers.contains(where: { $0.name.lowercased() == "authorization" }) { headers.append(authorization) }
        return (url, headers)
    }

    /// A receiver's URL without its userinfo, and the userinfo as an `Authorization: Basic` header.
    private static func receiverURL(_ text: String, name: String, mark: Mark?) throws(ConfigIssue) -> (Secret<String>, HeaderField?) {
        try checkURL(text, name: name, mark: mark)
        let url = TargetURL(text)
        return (Secret(url.requested), url.basicAuthorization.map { HeaderField(name: "Authorization", value: $0.revealed) })
    }

    /// `env:` of a command receiver: variable names (letters, digits and `_`, not starting with a digit
    /// or `URLPOLL_`, which urlpoll sets) to values, `${NAME}` expanded; the values are secrets.
    private static func environment(_ map: ConfigMap) throws(ConfigIssue) -> [String: Secret<String>] {
        guard let (block, names) = try map.openMap("env", of: "variable names") else { return [:] }
        var environment: [String: Secret<String>] = [:]
        for name in names {
            let isName =
                name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard isName else {
                throw ConfigIssue(message: "\(block.name(name)): \(Excerpt.quoted(name)) is not a variable name", mark: block.keyMark(name))
            }
            guard !name.uppercased().hasPrefix("URLPOLL_") else {
                throw ConfigIssue(message: "\(block.name(name)): URLPOLL_ variables are urlpoll's own (name it otherwise)", mark: block.keyMark(name))
            }
            guard let value = try block.secret(name) else { continue }
            guard !value.revealed.contains("\0") else {
                throw ConfigIssue(message: "\(block.name(name)): the value holds a NUL (value not shown)", mark: block.decoder(name)?.mark)
            }
            environment[name] = value
        }
        return environment
    }

    private static func checkURL(_ url: String, name: String, mark: Mark?) throws(ConfigIssue) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            components.host?.isEmpty == false
        else {
            throw ConfigIssue(message: "\(name): expected an http or https URL with a host (value not shown)", mark: mark)
        }
    }

    private static func headers(_ block: ConfigMap) throws(ConfigIssue) -> [HeaderField] {
        try CheckFields.headers(block).map(\.sensitive)
    }
}
