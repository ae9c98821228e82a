import Foundation
import URLPollCore

/// Writes the per-URL series in the Prometheus text exposition format (0.0.4), from the state owner's
/// records: `urlpoll_up`, `urlpoll_http_status_code`, `urlpoll_consecutive_failures`,
/// `urlpoll_polls_total{result}`, the `urlpoll_poll_duration_seconds` histogram and, for https URLs,
/// `urlpoll_cert_expiry_timestamp_seconds`; each labelled `url` (as shown: credentials redacted), and `name`
/// where the configuration names the URL; `id` too where two URLs would otherwise have the same labels.
///
/// Why not through the swift-prometheus registry like the process metrics: its 2.4.1 registry copies a
/// metric family each time it registers a new label set, so registering one series per URL costs
/// O(URLs²): 25 s of start-up at 10,000 URLs. Written here from values the monitor already holds, the
/// series cost nothing until scraped. Pure.
enum URLMetricsExposition {
    /// - Parameters:
    ///   - records: every record, indexed by id.
    ///   - ids: the ids to write, in order (the URLs monitored now).
    ///   - series: each URL's counters, indexed by id; empty when none are kept.
    static func render(records: [URLRecord], ids: [Int], series: [URLSeries]) -> String {
        var labels = [String](repeating: "", count: records.count)
        var seen: [String: Int] = [:]
        for id in ids {
            labels[id] = "url=\"\(escape(records[id].url.shown))\"" + (records[id].name.map { ",name=\"\(escape($0))\"" } ?? "")
            seen[labels[id], default: 0] += 1
        }
        // URLs that differ only in what their shown form hides (`?token=<redacted>` twice) and share a
        // name would be one series: their ids tell them apart.
        for id in ids where seen[labels[id]]! > 1 { labels[id] += ",id=\"\(records[id].url.stableID)\"" }
        let polled = ids.filter { records[$0].health != .pending }
        let counted = series.isEmpty ? [] : ids.filter { series[$0].count > 0 }
        var text = ""
        text += "# HELP urlpoll_up Whether the URL's last poll was up (1) or down (0).\n# TYPE urlpoll_up gauge\n"
        for id in polled { text += "urlpoll_up{\(labels[id])} \(records[id].health == .up ? 1 : 0)\n" }
        text += "# HELP urlpoll_http_status_code The last poll's HTTP status code (0: no response).\n"
        text += "# TYPE urlpoll_http_status_code gauge\n"
        for id in polled { text += "urlpoll_http_status_code{\(labels[id])} \(records[id].code ?? 0)\n" }
        text += "# HELP urlpoll_consecutive_failures Down polls in a row.\n# TYPE urlpoll_consecutive_failures gauge\n"
        for id in polled { text += "urlpoll_consecutive_failures{\(labels[id])} \(records[id].consecutiveFailures)\n" }
        text += "# HELP urlpoll_polls_total Polls by result.\n# TYPE urlpoll_polls_total counter\n"
        for id in counted {
            text += "urlpoll_polls_total{\(labels[id]),result=\"up\"} \(series[id].upPolls)\n"
            text += "urlpoll_polls_total{\(labels[id]),result=\"down\"} \(series[id].downPolls)\n"
        }
        text += "# HELP urlpoll_poll_duration_seconds How long polls took.\n# TYPE urlpoll_poll_duration_seconds histogram\n"
        for id in counted {
            for (index, bound) in URLSeries.bucketBounds.enumerated() {
                text += "urlpoll_poll_duration_seconds_bucket{\(labels[id]),le=\"\(bound)\"} \(series[id].bucketCounts[index])\n"
            }
            text += "urlpoll_poll_duration_seconds_bucket{\(labels[id]),le=\"+Inf\"} \(series[id].count)\n"
            text += "urlpoll_poll_duration_seconds_sum{\(labels[id])} \(series[id].durationSum)\n"
            text += "urlpoll_poll_duration_seconds_count{\(labels[id])} \(series[id].count)\n"
        }
        text += "# HELP urlpoll_cert_expiry_timestamp_seconds When the URL's TLS certificate expires (Unix time).\n"
        text += "# TYPE urlpoll_cert_expiry_timestamp_seconds gauge\n"
        for id in polled {
            guard let expiry = records[id].certificateExpiry else { continue }
            text += "urlpoll_cert_expiry_timestamp_seconds{\(labels[id])} \(Int(expiry.timeIntervalSince1970))\n"
        }
        return text
    }

    /// A label value escaped as the text format requires: backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
