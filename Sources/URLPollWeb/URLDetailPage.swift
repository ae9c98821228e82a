import Foundation
import URLPollCore

/// One URL's page (`/urls/{id}`), linked from each row of the ``StatusPage``: its state and last answer,
/// the phases of its last poll as bars (``PollPhases``: where the time went), its recent results, and
/// with a history its uptime, latency over 24 hours and outages of the last 30 days. Every text taken
/// from a URL or a server is escaped. Pure.
enum URLDetailPage {
    static func render(
        _ record: URLRecord,
        recent: [RecentResults.Result],
        history: URLHistory?,
        locations: [QuorumVerdict.View] = [],
        now: Date
    ) -> String {
        let id = record.url.stableID
        let health = record.health.rawValue
        let title = record.name ?? record.url.shown
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>urlpoll: \(HTML.escape(title)) \(health)</title>
            <style>\(StatusPage.style)\(style)</style></head><body>
            <header><p class="time"><a href="/">all URLs</a> &middot; <a href="/api/urls/\(id)">JSON</a></p>
            <h1><span class="badge \(health)">\(health)</span> \(HTML.escape(title))</h1>
            \(record.name == nil ? "" : "<p class=\"url\">\(HTML.escape(record.url.shown))</p>")</header>
            <dl class="facts">
            """
        func fact(_ name: String, _ value: String?) {
            html += "<dt>\(name)</dt><dd>\(value.map(HTML.escape) ?? "-")</dd>"
        }
        fact("status", record.health == .pending ? nil : record.status)
        fact("since", Timestamp.rfc3339(record.since))
        fact("last poll", record.checkedAt.map(Timestamp.rfc3339))
        fact("method", record.method?.rawValue)
        fact("latency", record.latency.map(DurationFormat.format))
        fact("address", record.remoteAddress)
        fact("failures in a row", String(record.consecutiveFailures))
        fact("certificate expires", record.certificateExpiry.map(Timestamp.rfc3339))
        if let uptime = history?.uptime {
            fact("uptime 24h / 7d / 30d", [Uptime.Window.day, .week, .month].map { TextReport.percent(uptime[$0]) }.joined(separator: " / "))
        }
        if let latency = history?.latency {
            fact("latency 24h p50 / p95", "\(DurationFormat.format(latency.p50)) / \(DurationFormat.format(latency.p95))")
        }
        html += "</dl>\n" + self.locations(locations) + phases(record.phases)
        html += "<h2>Recent polls</h2><p>\(Sparkline.svg(recent))</p>\n"
        html += StatusPage.outages(history?.incidents ?? [], now: now, title: "Outages, last 30 days", namesURLs: false)
        html += "</body></html>\n"
        return html
    }

    /// For a URL with a quorum: each location's latest view (the badge above is the quorum's verdict).
    static func locations(_ views: [QuorumVerdict.View]) -> String {
        guard !views.isEmpty else { return "" }
        var html = "<h2>Seen from each location</h2><table class=\"locations\">"
        for view in views {
            let health = view.health.rawValue
            html += "<tr><th>\(HTML.escape(LocationViews.name(view.location)))</th>"
            html += "<td><span class=\"badge \(health)\">\(health)</span></td><td>\(HTML.escape(view.status))</td>"
            html += "<td>\(Timestamp.rfc3339(view.checkedAt))</td></tr>"
        }
        return html + "</table>\n"
    }

    /// The last poll's phases as a table of bars scaled to the slowest; phases that did not happen are
    /// listed as such. Nothing when no phase was measured.
    static func phases(_ phases: PollPhases) -> String {
        guard let slowest = phases.slowest?.duration else { return "" }
        let scale = max(1, Double(slowest.wholeMicroseconds))
        var html = "<h2>Where the last poll's time went</h2><table class=\"phases\">"
        for phase in PollPhases.Phase.allCases {
            html += "<tr><th>\(phase.rawValue)</th>"
            if let duration = phases[phase] {
                let width = max(1, Int((Double(duration.wholeMicroseconds) / scale * 100).rounded()))
                html += "<td class=\"num\">\(DurationFormat.format(duration))</td>"
                html += "<td class=\"bar\"><span style=\"width:\(width)%\"></span></td></tr>"
            } else {
                html += "<td class=\"num\">-</td><td class=\"bar none\">did not happen</td></tr>"
            }
        }
        return html + "</table>\n"
    }

    static let style = """
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0 0 1em}.facts dt{color:#555}.facts dd{margin:0}\
        h2{font-size:1.05em;margin:1em 0 .3em}.phases th{text-align:left;font-weight:600;padding-right:1em}\
        .phases td.bar{width:20em}.phases td.bar span{display:block;height:.8em;background:#0969da}.phases td.none{color:#888}\
        .locations th{text-align:left;font-weight:600;padding-right:1em}.locations td{padding-right:1em}
        """
}
