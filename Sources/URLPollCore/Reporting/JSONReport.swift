import Foundation

/// Renders a ``Report`` as exactly one line of JSON:
///
/// ```json
/// {"time":"2026-11-29T06:30:00.000Z","up":1,"down":0,"pending":0,"urls":[{"id":"1f0c6a5e2d7b9c41","url":"https://example.org/",
///  "state":"up","status":"200 OK","code":200,"latency_ms":85.2,"checked_at":"2026-11-29T06:29:58.120Z",
///  "consecutive_failures":0,"method":"HEAD","name":"Example","cert_expires_at":"2027-02-01T12:00:00.000Z"}]}
/// ```
///
/// `id` is the URL's ``StableID``. `code`, `latency_ms`, `checked_at` and `method` are `null` while a URL is pending; `code` is also `null`
/// when the server did not answer. `method` is the last poll's (GET after a HEAD→GET fallback); `name` is `null` unless the
/// configuration names the URL; `cert_expires_at` is `null` except for https URLs. Keys appear in the documented order. Strings are escaped per RFC 8259,
/// so no URL or status text can break the line.
public enum JSONReport {
    public static func render(_ report: Report) -> String {
        var json = "{\"time\":\(quote(Timestamp.rfc3339(report.time)))"
        json += ",\"up\":\(report.up),\"down\":\(report.down),\"pending\":\(report.pending),\"urls\":["
        for (index, record) in report.urls.enumerated() {
            if index > 0 { json += "," }
            json += object(record)
        }
        json += "]}\n"
        return json
    }

    /// One URL as a JSON object (the elements of `urls`).
    static func object(_ record: URLRecord, extra: String = "") -> String {
        var json = "{\"id\":\"\(StableID.of(record.url))\",\"url\":\(quote(record.url))"
        json += ",\"state\":\"\(record.health.rawValue)\""
        json += ",\"status\":\(quote(record.status))"
        json += ",\"code\":\(record.code.map(String.init) ?? "null")"
        json += ",\"latency_ms\":\(record.latency.map(milliseconds) ?? "null")"
        json += ",\"checked_at\":\(record.checkedAt.map { quote(Timestamp.rfc3339($0)) } ?? "null")"
        json += ",\"consecutive_failures\":\(record.consecutiveFailures)"
        json += ",\"method\":\(record.method.map { quote($0.rawValue) } ?? "null")"
        json += ",\"name\":\(record.name.map(quote) ?? "null")"
        json += ",\"cert_expires_at\":\(record.certificateExpiry.map { quote(Timestamp.rfc3339($0)) } ?? "null")\(extra)}"
        return json
    }

    /// One URL with its recent results, as `/api/urls/{id}` serves it.
    public static func detail(_ record: URLRecord, recent: [RecentResults.Result]) -> String {
        let results = recent.map { result in
            "{\"checked_at\":\(quote(Timestamp.rfc3339(result.date))),\"state\":\"\(result.up ? "up" : "down")\","
                + "\"latency_ms\":\(milliseconds(result.latency))}"
        }
        return object(record, extra: ",\"recent\":[\(results.joined(separator: ","))]") + "\n"
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
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case let control where control.value < 0x20:
                quoted +=
                    "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count)
                    + String(control.value, radix: 16)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
