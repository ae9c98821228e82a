import Foundation
import URLPollChecks
import URLPollCore
import Yams

/// A decoded config file (YAML): global settings that mirror the flags, a `defaults:` block for every
/// URL, and the `urls:` list, each entry a URL string or a map with the URL's own settings.
///
/// ```yaml
/// pollers: 32
/// interval: 30s
/// defaults:
///   timeout: 5s
/// urls:
///   - https://example.org/
///   - url: https://api.example.org/health
///     name: API
///     method: GET
///     body-contains: '"status":"ok"'
/// ```
///
/// Decoded by ``ConfigLoader`` (which supplies the context every error needs: file, line, column).
/// Every value is checked while decoding, so a decoded file is valid. `Decodable`, and pure otherwise.
package struct ConfigFile: Decodable, Sendable {
    /// The global settings the file gives (a flag on the command line overrides each).
    package var overrides = Settings.Overrides()
    /// `listen:`.
    package var listen: ListenAddress?
    /// `defaults:`.
    package var defaults = CheckFields()
    /// `urls:`, in order.
    package var urls: [Entry] = []
    /// `alerts:`, `self-check:`, `connectivity-check:`, `instance:`.
    var alerts = AlertsConfig()

    /// One entry of `urls:`.
    package struct Entry: Sendable, Equatable {
        package static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.url == rhs.url && lhs.fields == rhs.fields && lhs.line == rhs.line && lhs.column == rhs.column
                && CheckSpecs.same(lhs.check, rhs.check)
        }

        package let url: String
        package let fields: CheckFields
        /// The check of a non-HTTP URL (its kind's own keys read), `nil` for http and https.
        package let check: (any CheckSpec)?
        /// Where the entry starts.
        package let line: Int
        package let column: Int
    }

    static let keys = [
        "pollers", "interval", "status-interval", "error-backoff", "max-backoff", "timeout", "connect-timeout", "format", "listen",
        "history", "database", "location", "retention", "defaults", "urls", "recheck-interval", "alerts", "self-check", "connectivity-check",
        "instance",
    ]

    package init(from decoder: any Decoder) throws {
        let map = try ConfigMap(decoder, path: "", allowed: Self.keys)
        overrides.pollers = try map.int("pollers", in: Settings.pollersRange)
        overrides.interval = try map.duration("interval", positive: false)
        overrides.statusInterval = try map.duration("status-interval")
        overrides.errorBackoff = try map.duration("error-backoff", positive: false)
        overrides.maxBackoff = try map.duration("max-backoff", positive: false)
        overrides.timeout = try map.duration("timeout")
        overrides.connectTimeout = try map.duration("connect-timeout")
        overrides.format = try map.parsed("format") { text throws(InputError) in
            guard let format = ReportFormat(rawValue: text) else { throw InputError("\(Excerpt.quoted(text)) is not a format (text or json)") }
            return format
        }
        listen = try map.parsed("listen") { text throws(InputError) in try ListenAddress(parsing: text) }
        overrides.history = try map.int("history", in: Settings.historyRange)
        overrides.database = try map.parsed("database") { text throws(InputError) in try Settings.Database(parsing: text) }
        overrides.location = try map.parsed("location") { text throws(InputError) in
            try Settings.checkLocation(text)
            return text
        }
        if let block = map.decoder("retention") {
            let retention = try ConfigMap(block, path: "retention", allowed: ["results", "results-per-url", "aggregates"])
            overrides.resultAge = try retention.duration("results")
            overrides.resultsPerURL = try retention.int("results-per-url", in: 1...10_000_000)
            overrides.aggregateAge = try retention.duration("aggregates")
        }
        overrides.recheckInterval = try map.duration("recheck-interval")
        alerts = try AlertsConfig(map)
        let receivers = alerts.receivers.map(\.name)
        if let block = map.decoder("defaults") {
            defaults = try CheckFields(ConfigMap(block, path: "defaults", allowed: CheckFields.defaultKeys), receivers: receivers)
        }
        urls = try Self.entries(map, receivers: receivers, defaults: defaults)
    }

    private static func entries(_ map: ConfigMap, receivers: [String], defaults: CheckFields) throws(ConfigIssue) -> [Entry] {
        guard let decoder = map.decoder("urls") else { return [] }
        guard var list = try? decoder.unkeyedContainer() else {
            throw ConfigIssue(message: "urls: expected a list of URLs", mark: decoder.mark)
        }
        var entries: [Entry] = []
        while !list.isAtEnd, let element = try? list.superDecoder() {
            let path = "urls[\(entries.count)]"
            let url: String
            var fields = CheckFields()
            var urlMark = element.mark
            var entryMap: ConfigMap?
            if (try? element.singleValueContainer().decode(String.self)) != nil {
                url = try ConfigMap.text(of: element, name: path, context: map.context)
            } else {
                let given = try ConfigMap(element, path: path, allowed: CheckFields.entryKeys)
                guard let text = try given.string("url") else {
                    throw ConfigIssue(message: "\(path): every entry needs a url", mark: element.mark)
                }
                url = text
                urlMark = given.decoder("url")?.mark
                entryMap = given
            }
            let components = URLComponents(string: url)
            let kind = components?.scheme.flatMap(CheckKinds.kind(forScheme:))
            if let entryMap {
                try Self.checkKeys(of: entryMap, kind: kind, url: components)
                fields = try CheckFields(entryMap.hiding(kind?.keys ?? []), receivers: receivers)
            }
            if let problem = URLListParser.problem(with: url) {
                let shown = URLRedaction(adding: fields.sensitiveQuery.union(defaults.sensitiveQuery)).redact(url)
                throw ConfigIssue(message: "\(path): invalid URL \(Excerpt.quoted(shown)): \(problem)", mark: urlMark)
            }
            var check: (any CheckSpec)?
            if let kind, let components {
                do {
                    check = try kind.spec(for: components, settings: entryMap.map { $0 as any CheckSettingsReader } ?? NoCheckSettings())
                } catch {
                    throw entryMap?.configIssue(error) ?? ConfigIssue(message: "\(path): \(error.message)", mark: urlMark)
                }
            }
            if let wanted = fields.ipVersion ?? defaults.ipVersion, wanted != .any,
                let host = components?.host, let written = IPVersion.ofAddress(host), written != wanted
            {
                throw ConfigIssue(
                    message: "\(path): the host is an IPv\(written.rawValue) address, but ip-version is \(wanted.rawValue): it could never be polled",
                    mark: urlMark
                )
            }
            entries.append(Entry(url: url, fields: fields, check: check, line: element.mark?.line ?? 0, column: element.mark?.column ?? 0))
        }
        return entries
    }

    /// Refuses a key that does not apply to the entry's kind: an HTTP setting on a `tcp://` URL (the TLS
    /// ones apply when the check makes a handshake), or a kind's own key on an http URL. An entry of an
    /// unknown scheme is left to the URL's own message.
    private static func checkKeys(of map: ConfigMap, kind: (any CheckKind)?, url: URLComponents?) throws(ConfigIssue) {
        let scheme = url?.scheme?.lowercased()
        let kindOnly = CheckKinds.all.flatMap(\.keys).filter { !CheckFields.defaultKeys.contains($0) }
        for key in map.keys.sorted() {
            if let kind {
                guard CheckFields.httpKeys.contains(key) && !kind.keys.contains(key) else { continue }
                if CheckFields.tlsKeys.contains(key), let url {
                    let usesTLS: Bool
                    do {
                        usesTLS = try kind.usesTLS(url, settings: map)
                    } catch {
                        throw map.configIssue(error)
                    }
                    if usesTLS { continue }
                    throw ConfigIssue(
                        message: "\(map.name(key)): applies to TLS connections only (write tls:// or tls: true)",
                        mark: map.keyMark(key)
                    )
                }
                throw ConfigIssue(
                    message: "\(map.name(key)): does not apply to \(scheme ?? kind.name.rawValue):// URLs (an http setting)",
                    mark: map.keyMark(key)
                )
            } else if scheme == "http" || scheme == "https", kindOnly.contains(key) {
                let owners = CheckKinds.all.filter { $0.keys.contains(key) }.flatMap(\.schemes).map { "\($0)://" }
                throw ConfigIssue(
                    message: "\(map.name(key)): applies to \(Self.list(owners)) URLs only, not to \(scheme ?? "http")://",
                    mark: map.keyMark(key)
                )
            }
        }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ words: [String]) -> String {
        words.count <= 2 ? words.joined(separator: " and ") : words.dropLast().joined(separator: ", ") + " and " + words.last!
    }

    /// The alert settings the file gives (none configured: alerting is off).
    package var alertSettings: AlertSettings {
        AlertSettings(
            routing: AlertRouting(receivers: alerts.receivers),
            selfCheck: alerts.selfCheck,
            connectivityCheck: alerts.connectivityCheck,
            instance: alerts.instance ?? AlertSettings.defaultInstance
        )
    }

    /// An entry's options: `nil` for a plain http URL (it shares the list's instance), its own for one with
    /// settings or a check of another kind.
    private func options(of entry: Entry, settings: Settings) -> CheckOptions? {
        if entry.fields == CheckFields() && entry.check == nil { return nil }
        let options = entry.fields.merged(over: defaults).resolved(with: settings)
        return entry.check.map(options.checking) ?? options
    }

    /// The URL-list entries the file describes: each URL with its own settings over `defaults:` over the
    /// global `settings`.
    ///
    /// An entry with no settings of its own gets `nil` options: the list gives it the one shared instance
    /// resolved from `defaults:` (as it does for URLs from arguments and lists), so a file of 100,000
    /// plain URLs holds one `CheckOptions`, not 100,000.
    package func targets(settings: Settings, file: String) -> [URLListEntry] {
        urls.map { entry in
            URLListEntry(
                url: entry.url,
                origin: .config(name: file, line: entry.line, column: entry.column),
                options: options(of: entry, settings: settings)
            )
        }
    }
}
