import URLPollCore

/// What `urlpoll --check-config` prints: the settings and every URL it would monitor, with how. Header
/// values are shown as `<redacted>`. Pure.
///
/// ```
/// configuration OK: 2 URLs, 64 pollers, status every 10s, text reports, error backoff 10s (at most 10m)
/// URL                         NAME  METHOD  INTERVAL  TIMEOUT  EXPECT   CONDITIONS
/// https://example.org/        -     HEAD    60s       10s      200-399  -
/// https://api.example.org/h   API   GET     30s       5s       200      body contains "ok"; header Authorization: <redacted>
/// tcp://127.0.0.1:6379        -     tcp     60s       10s      /^\+PONG/ sends "PING\r\n"
/// ```
package enum ConfigDescription {
    package static func render(_ configuration: RunConfiguration) -> String {
        let settings = configuration.settings
        var text = "configuration OK: \(configuration.targets.count) URL\(configuration.targets.count == 1 ? "" : "s"), "
        text += "\(settings.pollers) pollers, status every \(DurationFormat.format(settings.statusInterval)), \(settings.format.rawValue) reports, "
        text += "error backoff \(DurationFormat.format(settings.errorBackoff)) (at most \(DurationFormat.format(settings.maxBackoff)))"
        if let listen = configuration.listen { text += ", serving on \(listen)" }
        text += "\n"
        var rows = [["URL", "NAME", "METHOD", "INTERVAL", "TIMEOUT", "EXPECT", "CONDITIONS"]]
        for (url, options) in configuration.targets.targets {
            rows.append([
                TextReport.printable(url.shown),
                TextReport.printable(options.name ?? "-"),
                options.check.map { $0.kind.rawValue } ?? options.initialMethod.rawValue,
                DurationFormat.format(options.interval ?? settings.interval),
                DurationFormat.format(options.timeout ?? settings.timeout),
                TextReport.printable(options.check?.expectation ?? options.expect.description.replacingOccurrences(of: " ", with: "")),
                conditions(options),
            ])
        }
        return text + TextTable.render(rows) + alerts(configuration.alerts, settings: settings)
    }

    /// One line per alert receiver (kind and origin only: never a path, token or header value), and the
    /// self-check; nothing without receivers.
    static func alerts(_ alerts: AlertSettings, settings: Settings) -> String {
        guard alerts.isEnabled else { return "" }
        var text =
            "alerts (as \(TextReport.printable(alerts.instance))): recheck every \(DurationFormat.format(settings.recheckInterval)) until confirmed; "
        if let check = alerts.connectivityCheck {
            text += "self-check: \(TextReport.printable(AlertReceiverSettings.origin(of: check.shown))) must answer\n"
        } else {
            let rule = alerts.selfCheck
            text += "self-check: \(Int((rule.share * 100).rounded()))% of at least \(rule.minimumURLs) URLs failing without an answer "
            text += "within \(DurationFormat.format(rule.window))\n"
        }
        for receiver in alerts.routing.receivers {
            text += "  \(TextReport.printable(receiver.name)): \(TextReport.printable(receiver.summary)); down after \(receiver.failureThreshold), "
            text += receiver.sendOnRecovery ? "recovered after \(receiver.successThreshold)" : "no recovery message"
            if let every = receiver.repeatInterval { text += ", repeat every \(DurationFormat.format(every))" }
            text +=
                receiver.urls.isEmpty
                ? "; every URL" : "; URLs matching \(receiver.urls.map { TextReport.printable($0.description) }.joined(separator: ", "))"
            text += "\n"
        }
        return text
    }

    /// The options beyond method, interval, timeout and expected statuses, in words; for a check of
    /// another kind (whose METHOD column is its kind), its own settings and those every kind shares.
    static func conditions(_ options: CheckOptions) -> String {
        if let check = options.check {
            var parts = check.settingsDescription.map(TextReport.printable)
            if let latency = options.maxLatency { parts.append("max-latency \(DurationFormat.format(latency))") }
            if let connect = options.connectTimeout { parts.append("connect timeout \(DurationFormat.format(connect))") }
            if options.ipVersion != .any { parts.append("IPv\(options.ipVersion.rawValue) only") }
            if let quorum = options.quorum { parts.append("from every location, down when \(quorum) see it down") }
            return parts.isEmpty ? "-" : parts.joined(separator: "; ")
        }
        var parts: [String] = []
        if let latency = options.maxLatency { parts.append("max-latency \(DurationFormat.format(latency))") }
        if let needle = options.bodyContains { parts.append("body contains \(TextReport.printable(Excerpt.quoted(needle)))") }
        if let pattern = options.bodyMatches { parts.append("body matches \(TextReport.printable(pattern.description))") }
        for check in options.jsonChecks {
            parts.append(TextReport.printable("json \(check.description)" + (check.expected.map { " = \(Excerpt.quoted($0))" } ?? " exists")))
        }
        if options.needsBody && options.maxBodyBytes != CheckOptions.defaultMaxBodyBytes {
            parts.append("reads at most \(ByteSize.format(options.maxBodyBytes))")
        }
        if !options.followRedirects { parts.append("no redirects") }
        if options.insecureTLS { parts.append("insecure TLS") }
        if let warning = options.certExpiryWarning { parts.append("certificate valid for \(DurationFormat.format(warning)) more") }
        if let connect = options.connectTimeout { parts.append("connect timeout \(DurationFormat.format(connect))") }
        if !options.reuseConnections { parts.append("a new connection every poll") }
        if options.ipVersion != .any { parts.append("IPv\(options.ipVersion.rawValue) only") }
        if let quorum = options.quorum { parts.append("from every location, down when \(quorum) see it down") }
        if let body = options.requestBody { parts.append("body of \(ByteSize.format(body.count))") }
        if let tls = options.tls {
            if let ca = tls.caFile { parts.append("\(tls.caOnly ? "only " : "")CA \(TextReport.printable(ca))") }
            if let certificate = tls.clientCertificate { parts.append("client certificate \(TextReport.printable(certificate))") }
            if let name = tls.serverName { parts.append("server name \(TextReport.printable(name))") }
            if tls.postQuantum { parts.append("post-quantum key exchange") }
            if let version = tls.minimumVersion { parts.append("TLS \(version.rawValue) or newer") }
        }
        for header in options.headers {
            parts.append("header \(TextReport.printable(header.description))\(header.isSensitive ? " (kept from other origins)" : "")")
        }
        return parts.isEmpty ? "-" : parts.joined(separator: "; ")
    }
}
