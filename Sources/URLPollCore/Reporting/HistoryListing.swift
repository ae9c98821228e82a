import Foundation

/// What `urlpoll history` and `urlpoll incidents` print: stored results and outages, as an aligned table
/// (`text`), one JSON document (`json`) or CSV with a header line (`csv`). Pure.
public enum HistoryListing {
    public enum Format: String, CaseIterable, Sendable {
        case text, json, csv
    }

    /// One URL's results (oldest first) and outages (newest first) since `since`. CSV holds the results
    /// only (one table per file); the text ends with the outages.
    public static func history(url: TargetURL, since: Date, results: [StoredResult], incidents: [Incident], now: Date, format: Format) -> String {
        switch format {
        case .json:
            let rows = results.map { result in
                "{\"checked_at\":\(JSONReport.quote(Timestamp.rfc3339(result.checkedAt))),\"state\":\"\(result.health.rawValue)\","
                    + "\"code\":\(result.code.map(String.init) ?? "null"),\"latency_ms\":\(JSONReport.milliseconds(result.latency)),"
                    + "\"method\":\"\(result.method.rawValue)\",\"status\":\(JSONReport.quote(result.status))}"
            }
            return "{\"url\":\(JSONReport.quote(url.shown)),\"since\":\(JSONReport.quote(Timestamp.rfc3339(since))),"
                + "\"results\":[\(rows.joined(separator: ","))],\"incidents\":\(incidentsJSON(incidents, now: now))}\n"
        case .csv:
            var csv = "checked_at,state,code,latency_ms,method,status\n"
            for result in results {
                csv +=
                    [
                        Timestamp.rfc3339(result.checkedAt), result.health.rawValue, result.code.map(String.init) ?? "",
                        JSONReport.milliseconds(result.latency), result.method.rawValue, field(result.status),
                    ].joined(separator: ",") + "\n"
            }
            return csv
        case .text:
            var text = "\(TextReport.printable(url.shown)): \(results.count) results since \(Timestamp.rfc3339(since))\n"
            var rows = [["TIME", "STATE", "CODE", "LATENCY", "METHOD", "STATUS"]]
            for result in results {
                rows.append([
                    Timestamp.rfc3339(result.checkedAt), result.health.rawValue, result.code.map(String.init) ?? "-",
                    DurationFormat.format(result.latency), result.method.rawValue, TextReport.printable(result.status),
                ])
            }
            text += TextTable.render(rows)
            text += "\n" + incidentsText(incidents, now: now, showsURL: false)
            return text
        }
    }

    /// Outages across URLs, newest first; ongoing ones are marked (`ongoing` in text, `up_at` null in
    /// JSON, empty in CSV).
    public static func incidents(_ incidents: [Incident], now: Date, format: Format) -> String {
        switch format {
        case .json: return incidentsJSON(incidents, now: now) + "\n"
        case .csv:
            var csv = "url,down_at,up_at,duration_s,status\n"
            for incident in incidents {
                csv +=
                    [
                        field(incident.url.shown), Timestamp.rfc3339(incident.downAt), incident.upAt.map(Timestamp.rfc3339) ?? "",
                        String(Int(incident.duration(now: now).rounded())), field(incident.firstStatus),
                    ].joined(separator: ",") + "\n"
            }
            return csv
        case .text: return incidentsText(incidents, now: now, showsURL: true)
        }
    }

    static func incidentsText(_ incidents: [Incident], now: Date, showsURL: Bool) -> String {
        guard !incidents.isEmpty else { return "no outages\n" }
        var rows = [(showsURL ? ["URL"] : []) + ["DOWN AT", "UP AT", "LASTED", "STATUS"]]
        for incident in incidents {
            rows.append(
                (showsURL ? [TextReport.printable(incident.url.shown)] : []) + [
                    Timestamp.rfc3339(incident.downAt), incident.upAt.map(Timestamp.rfc3339) ?? "ongoing",
                    DurationFormat.format(.seconds(incident.duration(now: now))), TextReport.printable(incident.firstStatus),
                ]
            )
        }
        return TextTable.render(rows)
    }

    static func incidentsJSON(_ incidents: [Incident], now: Date) -> String {
        let rows = incidents.map { incident in
            "{\"url\":\(JSONReport.quote(incident.url.shown)),\"down_at\":\(JSONReport.quote(Timestamp.rfc3339(incident.downAt))),"
                + "\"up_at\":\(incident.upAt.map { JSONReport.quote(Timestamp.rfc3339($0)) } ?? "null"),"
                + "\"duration_s\":\(Int(incident.duration(now: now).rounded())),\"ongoing\":\(incident.upAt == nil),"
                + "\"status\":\(JSONReport.quote(incident.firstStatus))}"
        }
        return "[\(rows.joined(separator: ","))]"
    }

    /// A CSV field: quoted (with doubled quotes) when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
