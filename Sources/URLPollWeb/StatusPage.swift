import Foundation
import URLPollCore

/// The status page: server-rendered HTML that reads well without JavaScript and reloads itself.
///
/// Counts first, then one row per URL, down URLs first (then pending, then up; by URL within each),
/// with a badge, the URL (after its configured name, if any), the status text, the latency (its tooltip: the
/// last poll's phases), the time in the current state, its uptime
/// over 24 hours, 7 and 30 days (with a history) and a sparkline of recent results; above them, the last outages (with a history).
/// Every text taken from a URL or a server is escaped. One page, no per-row requests;
/// rows are grid rows with `content-visibility: auto`, so the browser lays out and paints only the rows
/// on screen and the page stays responsive at 10,000 URLs. Pure.
enum StatusPage {
    /// - Parameters:
    ///   - history: recent results indexed by ``Resource/id`` (may be empty).
    ///   - incidents: the last outages, newest first (empty without a history).
    ///   - refreshSeconds: how often the page reloads itself.
    static func render(_ report: Report, history: [RecentResults], incidents: [Incident] = [], refreshSeconds: Int) -> String {
        let order: [Health: Int] = [.down: 0, .pending: 1, .up: 2]
        let hasUptime = report.uptime.count == report.urls.count
        let rows = report.urls.indices.sorted { a, b in
            (order[report.urls[a].health]!, report.urls[a].url) < (order[report.urls[b].health]!, report.urls[b].url)
        }
        let uptimeHeads = hasUptime ? "<span class=\"num\">24h</span><span class=\"num\">7d</span><span class=\"num\">30d</span>" : ""
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(max(2, refreshSeconds))">
            <title>urlpoll: \(report.down) down, \(report.up) up</title>
            <style>\(style)</style></head><body>
            <header><h1>urlpoll</h1>
            <p class="counts"><span class="badge down">\(report.down) down</span> <span class="badge up">\(report.up) up</span> \
            <span class="badge pending">\(report.pending) pending</span></p>
            <p class="time">as of <time datetime="\(Timestamp.rfc3339(report.time))">\(Timestamp.rfc3339(report.time))</time> \
            &middot; reloads every \(max(2, refreshSeconds))s &middot; <a href="/api/status">JSON</a> &middot; <a href="/metrics">metrics</a></p>
            </header>
            \(selfCheck(report.alerting))\(outages(incidents, now: report.time))<div class="table\(hasUptime ? " uptime" : "")" role="table">\
            <div class="row head" role="row"><span>state</span><span>URL</span><span>status</span>\
            <span class="num">latency</span><span class="num">for</span>\(uptimeHeads)<span>recent</span></div>

            """
        for index in rows {
            let record = report.urls[index]
            let recent = history.indices.contains(record.id) ? history[record.id].results : []
            let health = record.health.rawValue
            html += "<div class=\"row \(health)\" role=\"row\"><span class=\"badge \(health)\">\(health)</span>"
            let label = record.name.map { "<b>\(HTML.escape($0))</b> " } ?? ""
            html += "<a class=\"url\" href=\"/urls/\(record.url.stableID)\">\(label)\(HTML.escape(record.url.shown))</a>"
            html += "<span>\(HTML.escape(record.health == .pending ? "-" : record.status))"
            html += "\(whereSeen(report.locations[record.id] ?? []))</span>"
            html += "<span class=\"num\"\(phasesTitle(record.phases))>\(record.latency.map(DurationFormat.format) ?? "-")</span>"
            html += "<span class=\"num\">\(DurationFormat.format(.seconds(max(0, report.time.timeIntervalSince(record.since)))))</span>"
            if hasUptime {
                for window in [Uptime.Window.day, .week, .month] {
                    html += "<span class=\"num\">\(TextReport.percent(report.uptime[index][window]))</span>"
                }
            }
            html += "<span>\(Sparkline.svg(recent))</span></div>\n"
        }
        html += "</div></body></html>\n"
        return html
    }

    /// For a URL with a quorum: what each location sees, under its status (` eu: up · us: down`).
    static func whereSeen(_ views: [QuorumVerdict.View]) -> String {
        guard !views.isEmpty else { return "" }
        let parts = views.map { view in
            "<span class=\"seen \(view.health.rawValue)\" title=\"\(HTML.escape(view.status))\">"
                + "\(HTML.escape(LocationViews.name(view.location))): \(view.health.rawValue)</span>"
        }
        return "<br><small class=\"where\">" + parts.joined(separator: " &middot; ") + "</small>"
    }

    /// The last poll's phases as the latency cell's tooltip (` title="dns 1.2ms · connect 310µs · …"`),
    /// the phases that did not happen left out; nothing when none was measured.
    static func phasesTitle(_ phases: PollPhases) -> String {
        let parts = PollPhases.Phase.allCases.compactMap { phase in
            phases[phase].map { "\(phase.rawValue) \(DurationFormat.format($0))" }
        }
        return parts.isEmpty ? "" : " title=\"\(parts.joined(separator: " · "))\""
    }

    /// A warning while urlpoll suspects its own network; nothing otherwise.
    static func selfCheck(_ status: AlertStatusBoard.Status?) -> String {
        guard let status, let since = status.suspectedSince else { return "" }
        return "<p class=\"selfcheck\" role=\"alert\"><b>Self-check:</b> urlpoll suspects its own network since "
            + "<time datetime=\"\(Timestamp.rfc3339(since))\">\(Timestamp.rfc3339(since))</time>: polls fail without any answer. "
            + "Down alerts are held back (\(status.held) URLs) until something answers again.</p>\n"
    }

    /// The last outages, newest first, as a short list (naming each one's URL unless the page is about
    /// one URL); nothing without any.
    static func outages(_ incidents: [Incident], now: Date, title: String = "Recent outages", namesURLs: Bool = true) -> String {
        guard !incidents.isEmpty else { return "" }
        var html = "<section class=\"outages\"><h2>\(title)</h2><ul>"
        for incident in incidents {
            let lasted = DurationFormat.format(.seconds(incident.duration(now: now)))
            let state = incident.upAt == nil ? "<b>ongoing</b>, \(lasted) so far" : "lasted \(lasted)"
            html += "<li><time datetime=\"\(Timestamp.rfc3339(incident.downAt))\">\(Timestamp.rfc3339(incident.downAt))</time> "
            html += "\(namesURLs ? HTML.escape(incident.url.shown) + ": " : "")\(HTML.escape(incident.firstStatus)) (\(state))</li>"
        }
        return html + "</ul></section>\n"
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{margin:0 0 .3em;font-size:1.4em}\
        .time{color:#666;margin:.3em 0 1em}\
        .row{display:grid;grid-template-columns:5.5em minmax(12em,3fr) minmax(8em,2fr) 5em 4.5em 128px;gap:0 .8em;\
        align-items:center;padding:.25em .6em;border-bottom:1px solid #eee;content-visibility:auto;contain-intrinsic-size:auto 32px}\
        .row.head{font-weight:600;color:#555;content-visibility:visible}.url{word-break:break-all}.num{text-align:right;white-space:nowrap}\
        .badge{display:inline-block;justify-self:start;padding:.05em .6em;border-radius:1em;font-weight:600;color:#fff;font-size:.9em}\
        .badge.up{background:#1a7f37}.badge.down{background:#cf222e}.badge.pending{background:#8c959f}\
        .seen.up{color:#1a7f37}.seen.down{color:#cf222e;font-weight:600}.where{color:#555}\
        .row.down{background:#fff5f5}.counts .badge{font-size:1.1em;margin-right:.3em}\
        .spark polyline{fill:none;stroke:#0969da;stroke-width:1.5}.spark rect{fill:#cf222e}\
        .uptime .row{grid-template-columns:5.5em minmax(12em,3fr) minmax(8em,2fr) 5em 4.5em 4.5em 4.5em 4.5em 128px}\
        .selfcheck{background:#fff8c5;border:1px solid #d4a72c;padding:.5em .8em;border-radius:.3em}\
        .outages{margin:0 0 1em}.outages h2{font-size:1.05em;margin:.2em 0}.outages ul{margin:0;padding-left:1.2em;color:#444}
        """
}
