/// Writes the per-URL series in the Prometheus text exposition format (0.0.4), from the state owner's
/// records: `urlpoll_up`, `urlpoll_http_status_code`, `urlpoll_consecutive_failures`,
/// `urlpoll_polls_total{result}` and the `urlpoll_poll_duration_seconds` histogram, each labelled `url`.
///
/// Why not through the swift-prometheus registry like the process metrics: its 2.4.1 registry copies a
/// metric family each time it registers a new label set, so registering one series per URL costs
/// O(URLs²): 25 s of start-up at 10,000 URLs. Written here from values the monitor already holds, the
/// series cost nothing until scraped. Pure.
enum URLMetricsExposition {
    static func render(records: [URLRecord], series: [URLSeries]) -> String {
        let labels = records.map { "url=\"\(escape($0.url))\"" }
        let polled = records.indices.filter { records[$0].health != .pending }
        var text = ""
        text += "# HELP urlpoll_up Whether the URL's last poll was up (1) or down (0).\n# TYPE urlpoll_up gauge\n"
        for id in polled { text += "urlpoll_up{\(labels[id])} \(records[id].health == .up ? 1 : 0)\n" }
        text += "# HELP urlpoll_http_status_code The last poll's HTTP status code (0: no response).\n"
        text += "# TYPE urlpoll_http_status_code gauge\n"
        for id in polled { text += "urlpoll_http_status_code{\(labels[id])} \(records[id].code ?? 0)\n" }
        text += "# HELP urlpoll_consecutive_failures Down polls in a row.\n# TYPE urlpoll_consecutive_failures gauge\n"
        for id in polled { text += "urlpoll_consecutive_failures{\(labels[id])} \(records[id].consecutiveFailures)\n" }
        text += "# HELP urlpoll_polls_total Polls by result.\n# TYPE urlpoll_polls_total counter\n"
        for id in series.indices where series[id].count > 0 {
            text += "urlpoll_polls_total{\(labels[id]),result=\"up\"} \(series[id].upPolls)\n"
            text += "urlpoll_polls_total{\(labels[id]),result=\"down\"} \(series[id].downPolls)\n"
        }
        text += "# HELP urlpoll_poll_duration_seconds How long polls took.\n# TYPE urlpoll_poll_duration_seconds histogram\n"
        for id in series.indices where series[id].count > 0 {
            for (index, bound) in URLSeries.bucketBounds.enumerated() {
                text += "urlpoll_poll_duration_seconds_bucket{\(labels[id]),le=\"\(bound)\"} \(series[id].bucketCounts[index])\n"
            }
            text += "urlpoll_poll_duration_seconds_bucket{\(labels[id]),le=\"+Inf\"} \(series[id].count)\n"
            text += "urlpoll_poll_duration_seconds_sum{\(labels[id])} \(series[id].durationSum)\n"
            text += "urlpoll_poll_duration_seconds_count{\(labels[id])} \(series[id].count)\n"
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
