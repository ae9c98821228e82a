import Foundation
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
        package let url: String
        package let fields: CheckFields
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
            if (try? element.singleValueContainer().decode(String.self)) != nil {
                url = try ConfigMap.text(of: element, name: path, context: map.context)
            } else {
                let entryMap = try ConfigMap(element, path: path, allowed: CheckFields.entryKeys)
                guard let given = try entryMap.string("url") else {
                    throw ConfigIssue(message: "\(path): every entry needs a url", mark: element.mark)
                }
                url = given
                urlMark = entryMap.decoder("url")?.mark
                fields = try CheckFields(entryMap, receivers: receivers)
            }
            if let problem = URLListParser.problem(with: url) {
                let shown = URLRedaction(adding: fields.sensitiveQuery.union(defaults.sensitiveQuery)).redact(url)
                throw ConfigIssue(message: "\(path): invalid URL \(Excerpt.quoted(shown)): \(problem)", mark: urlMark)
            }
            if let wanted = fields.ipVersion ?? defaults.ipVersion, wanted != .any,
                let host = URLComponents(string: url)?.host, let written = IPVersion.ofAddress(host), written != wanted
            {
                throw ConfigIssue(
                    message: "\(path): the host is an IPv\(written.rawValue) address, but ip-version is \(wanted.rawValue): it could never be polled",
                    mark: urlMark
                )
            }
            entries.append(Entry(url: url, fields: fields, line: element.mark?.line ?? 0, column: element.mark?.column ?? 0))
        }
        return entries
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
                options: entry.fields == CheckFields() ? nil : entry.fields.merged(over: defaults).resolved(with: settings)
            )
        }
    }
}
