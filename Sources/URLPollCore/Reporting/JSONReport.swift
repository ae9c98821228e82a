import Foundation

/// Renders a ``Report`` as exactly one line of JSON:
///
/// ```json
/// {"time":"2026-11-29T06:30:00.000Z","up":1,"down":0,"pending":0,"urls":[{"id":"1f0c6a5e2d7b9c41","url":"https://example.org/",
///  "state":"up","status":"200 OK","code":200,"latency_ms":85.2,"checked_at":"2026-11-29T06:29:58.120Z",
///  "consecutive_failures":0,"method":"HEAD","name":"Example","cert_expires_at":"2027-02-01T12:00:00.000Z",
///  "phases_ms":{"dns":null,"connect":null,"tls":null,"ttfb":84.9,"transfer":0.021},"address":"93.184.215.14","kind":"http"}]}
/// ```
///
/// `id` is the URL's ``StableID``. `code`, `latency_ms`, `checked_at` and `method` are `null` while a URL is pending; `code` is also `null`
/// when the server did not answer. `method` is the last poll's (GET after a HEAD→GET fallback); `name` is `null` unless the
/// configuration names the URL; `cert_expires_at` is `null` except for https URLs. `phases_ms` is the last poll's
/// ``PollPhases`` in milliseconds (`dns`, `connect`, `tls`, `ttfb`, `transfer`, each `null` when the phase did not
/// happen; a poll without an answer keeps the phases it got through; the whole object `null` while pending or when
/// nothing was measured); `address` is the IP address of the
/// server that last answered (`null` until one did); `kind` is the kind of check (`http`, `tcp`, `tls`, …), chosen by
/// the URL's scheme, and `method` is `null` for kinds other than `http`. A URL with a quorum (`quorum: N`) also has `locations`: every
/// location's latest view, `[{"location":"eu","state":"down","status":"503 Service Unavailable","checked_at":"…"}]`
/// (each entry's `state` is what that location saw; the URL's own `state` is the quorum's verdict). With a history, each URL also has
/// `uptime`: `{"1h":0.9991,"24h":…,"7d":…,"30d":…}`, the share of known time it was up (``UptimeArithmetic``), `null` where
/// nothing is known. With alert receivers, the report ends with `alerting`: `{"self_check":{"suspected":true,
/// "since":"…"},"held":12,"announced":1,"queued":0}` (whether urlpoll suspects its own network and holds `down` alerts
/// back, how many, the outages announced, the deliveries waiting). Keys appear in the documented order. Strings are escaped per RFC 8259, so no URL or status text can
/// break the line.
public enum JSONReport {
    public static func render(_ report: Report) -> String {
        var json = "{\"time\":\(quote(Timestamp.rfc3339(report.time)))"
        json += ",\"up\":\(report.up),\"down\":\(report.down),\"pending\":\(report.pending),\"urls\":["
        let hasUptime = report.uptime.count == report.urls.count
        for (index, record) in report.urls.enumerated() {
            if index > 0 { json += "," }
            json += object(
                record,
                locations: report.locations[record.id] ?? [],
                extra: hasUptime ? ",\"uptime\":\(uptime(report.uptime[index]))" : ""
            )
        }
        json += "]"
        if let alerting = report.alerting { json += ",\"alerting\":\(self.alerting(alerting))" }
        json += "}\n"
        return json
    }

    /// `{"self_check":{"suspected":false,"since":null},"held":0,"announced":1,"queued":0}`.
    static func alerting(_ status: AlertStatusBoard.Status) -> String {
        let since = status.suspectedSince.map { quote(Timestamp.rfc3339($0)) } ?? "null"
        return "{\"self_check\":{\"suspected\":\(status.suspected),\"since\":\(since)},\"held\":\(status.held)"
            + ",\"announced\":\(status.announced),\"queued\":\(status.queued)}"
    }

    /// One URL as a JSON object (the elements of `urls`); `locations` only for a URL with a quorum.
    static func object(_ record: URLRecord, locations: [QuorumVerdict.View] = [], extra: String = "") -> String {
        var json = "{\"id\":\"\(record.url.stableID)\",\"url\":\(quote(record.url.shown))"
        json += ",\"state\":\"\(record.health.rawValue)\""
        json += ",\"status\":\(quote(record.status))"
        json += ",\"code\":\(record.code.map(String.init) ?? "null")"
        json += ",\"latency_ms\":\(record.latency.map(milliseconds) ?? "null")"
        json += ",\"checked_at\":\(record.checkedAt.map { quote(Timestamp.rfc3339($0)) } ?? "null")"
        json += ",\"consecutive_failures\":\(record.consecutiveFailures)"
        let kind = record.url.kind
        json += ",\"method\":\(kind == .http ? record.method.map { quote($0.rawValue) } ?? "null" : "null")"
        json += ",\"name\":\(record.name.map(quote) ?? "null")"
        json += ",\"cert_expires_at\":\(record.certificateExpiry.map { quote(Timestamp.rfc3339($0)) } ?? "null")"
        json += ",\"phases_ms\":\(record.phases.isEmpty ? "null" : phases(record.phases))"
        json += ",\"address\":\(record.remoteAddress.map(quote) ?? "null")"
        json += ",\"kind\":\"\(kind.rawValue)\""
        if !locations.isEmpty { json += ",\"locations\":\(self.locations(locations))" }
        return json + extra + "}"
    }

    /// `[{"location":"eu","state":"down","status":"503 Service Unavailable","checked_at":"…"}]`.
    static func locations(_ views: [QuorumVerdict.View]) -> String {
        let objects = views.map { view in
            "{\"location\":\(quote(view.location)),\"state\":\"\(view.health.rawValue)\",\"status\":\(quote(view.status))"
                + ",\"checked_at\":\(quote(Timestamp.rfc3339(view.checkedAt)))}"
        }
        return "[" + objects.joined(separator: ",") + "]"
    }

    /// `{"dns":null,"connect":0.211,"tls":1.302,"ttfb":0.4,"transfer":0.012}`: each phase in milliseconds,
    /// `null` where it did not happen.
    static func phases(_ phases: PollPhases) -> String {
        "{" + PollPhases.Phase.allCases.map { "\"\($0.rawValue)\":" + (phases[$0].map(milliseconds) ?? "null") }.joined(separator: ",") + "}"
    }

    /// `{"1h":0.9991,"24h":null,…}`: each window's share with four decimals, `null` where nothing is known.
    public static func uptime(_ uptime: Uptime) -> String {
        let windows = Uptime.Window.allCases.map { window in
            "\"\(window.rawValue)\":" + (uptime[window].map { ratio($0) } ?? "null")
        }
        return "{" + windows.joined(separator: ",") + "}"
    }

    /// A share from 0 to 1 with at most four decimals, rounded down (only a full share shows as 1).
    static func ratio(_ value: Double) -> String {
        let scaled = Int((min(1, max(0, value)) * 10_000).rounded(.down))
        if scaled == 10_000 { return "1" }
        if scaled == 0 { return "0" }
        var decimals = String(scaled)
        decimals = String(repeating: "0", count: max(0, 4 - decimals.count)) + decimals
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "0.\(decimals)"
    }

    /// One URL with its recent results, as `/api/urls/{id}` serves it; with a history, also its
    /// `uptime`, `latency_24h` (`p50_ms`, `p95_ms` over the stored results of the last 24 hours, `null`
    /// without any) and `incidents` (its outages of the last 30 days, newest first: `down_at`, `up_at`
    /// (`null` while ongoing), `duration_s`, `status`).
    public static func detail(
        _ record: URLRecord,
        recent: [RecentResults.Result],
        history: URLHistory? = nil,
        locations: [QuorumVerdict.View] = []
    ) -> String {
        let results = recent.map { result in
            "{\"checked_at\":\(quote(Timestamp.rfc3339(result.date))),\"state\":\"\(result.up ? "up" : "down")\","
                + "\"latency_ms\":\(milliseconds(result.latency))}"
        }
        var extra = ""
        if let history, let uptime = history.uptime {
            extra += ",\"uptime\":\(self.uptime(uptime))"
            extra +=
                ",\"latency_24h\":" + (history.latency.map { "{\"p50_ms\":\(milliseconds($0.p50)),\"p95_ms\":\(milliseconds($0.p95))}" } ?? "null")
            let now = Date()
            let incidents = history.incidents.map { incident in
                "{\"down_at\":\(quote(Timestamp.rfc3339(incident.downAt))),\"up_at\":"
                    + (incident.upAt.map { quote(Timestamp.rfc3339($0)) } ?? "null")
                    + ",\"duration_s\":\(Int(incident.duration(now: now).rounded())),\"status\":\(quote(incident.firstStatus))}"
            }
            extra += ",\"incidents\":[\(incidents.joined(separator: ","))]"
        }
        return object(record, locations: locations, extra: extra + ",\"recent\":[\(results.joined(separator: ","))]") + "\n"
    }

    /// A duration in milliseconds with at most three decimals.
    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.wholeMicroseconds
        let (whole, fraction) = microseconds.quotientAndRemainder(dividingBy: 1000)
        if fraction == 0 { return "\(whole)" }
        var decimals = String(fraction)
        decimals = String(repeating: "0", count: 3 - decimals.count) + decimals
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(whole).\(decimals)"
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        "\"" + escape(text) + "\""
    }

    /// `text` escaped for use inside a JSON string (RFC 8259): quotes, backslashes and control characters.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case let control where control.value < 0x20:
                escaped +=
                    "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count)
                    + String(control.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
