import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import URLPollCore

/// urlpoll's web server: the status page, a JSON API, Prometheus metrics and a health check.
///
/// Routes (each also answers `HEAD`):
/// - `GET /`: the ``StatusPage``;
/// - `GET /api/status`: one `--format json` report;
/// - `GET /api/urls/{id}`: one URL (by ``StableID``) with its recent results, 404 for an unknown id;
/// - `GET /urls/{id}`: the same URL's ``URLDetailPage``;
/// - `GET /api/instances`: the live instances sharing the database (``InstanceInfo/json(_:this:now:)``);
/// - `GET /metrics`: Prometheus text exposition of the `registry`;
/// - `GET /healthz`: `200 ok` while the server runs.
///
/// Every handler reads the state by asking the ``StateMonitor``; nothing here holds state of its own.
package enum StatusServer {
    /// The router with every route, for serving or for in-process tests.
    /// - Parameters:
    ///   - history: the store, for the page's recent outages and a URL's latency and outages.
    ///   - instances: the live instances and this one's run, for `/api/instances`; `nil` answers 404.
    package static func router(
        engine: PollingEngine,
        registry: PrometheusCollectorRegistry,
        refreshSeconds: Int,
        history: (any HistoryStore)? = nil,
        instances: (@Sendable () async throws -> (instances: [InstanceInfo], this: Int64))? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        let monitor = engine.monitor
        let scheduler = engine.scheduler
        router.get("/") { _, _ in
            let report = await engine.report()
            let recent = await monitor.history()
            let stored = (try? await history?.incidents(url: nil, since: report.time.addingTimeInterval(-7 * 86_400), limit: 10)) ?? []
            // The monitored URLs' own rules show them (their `sensitive-query:` names): the store knows only the built-in ones.
            let urls = Dictionary(report.urls.map { ($0.url.configured, $0.url) }, uniquingKeysWith: { first, _ in first })
            let outages = stored.map { $0.shown(with: urls) }
            let page = StatusPage.render(report, history: recent, incidents: outages, refreshSeconds: refreshSeconds)
            return response(page, type: "text/html; charset=utf-8")
        }
        router.get("/api/status") { _, _ in
            response(JSONReport.render(await engine.report()), type: "application/json")
        }
        if let instances {
            router.get("/api/instances") { _, _ in
                let (list, this) = try await instances()
                return response(InstanceInfo.json(list, this: this, now: Date()), type: "application/json")
            }
        }
        /// One URL's record, recent results and (with a history) its uptime, latency and outages; 404 for an unknown id.
        @Sendable func detail(
            _ context: BasicRequestContext
        ) async throws -> (record: URLRecord, recent: [RecentResults.Result], history: URLHistory, locations: [QuorumVerdict.View]) {
            let id = try context.parameters.require("id")
            guard let detail = await monitor.detail(stableID: id) else {
                throw HTTPError(.notFound, message: "no URL has the id \(id)")
            }
            var stored = URLHistory()
            if let history {
                let url = detail.record.url.configured
                let now = Date()
                stored.uptime = await engine.uptime?.uptime(of: [url]).first
                let day = try await history.results(url: url, since: now.addingTimeInterval(-86_400)).map(\.latency).sorted()
                if !day.isEmpty {
                    stored.latency = (HourlyAggregate.percentile(0.5, of: day), HourlyAggregate.percentile(0.95, of: day))
                }
                stored.incidents = try await history.incidents(url: url, since: now.addingTimeInterval(-30 * 86_400), limit: 20).map {
                    $0.shown(with: [url: detail.record.url])
                }
            }
            return (detail.record, detail.recent, stored, detail.locations)
        }
        router.get("/api/urls/{id}") { _, context in
            let found = try await detail(context)
            return response(
                JSONReport.detail(found.record, recent: found.recent, history: found.history, locations: found.locations),
                type: "application/json"
            )
        }
        router.get("/urls/{id}") { _, context in
            let found = try await detail(context)
            let page = URLDetailPage.render(
                found.record,
                recent: found.recent,
                history: history == nil ? nil : found.history,
                locations: found.locations,
                now: Date()
            )
            return response(page, type: "text/html; charset=utf-8")
        }
        router.get("/metrics") { _, _ in
            let counts = await scheduler.counts
            let perURL = await monitor.renderMetrics(pending: counts.pending, inFlight: counts.inFlight) { table in
                URLMetricsExposition.render(records: table.records, ids: table.activeIDs, series: table.series)
            }
            var buffer = ByteBuffer(bytes: registry.emitToBuffer())
            buffer.writeString(perURL)
            // With a shared database, the fleet's instances (a database that does not answer leaves them out).
            if let instances, let list = try? await instances().instances {
                buffer.writeString(InstanceMetricsExposition.render(list))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: buffer))
        }
        router.get("/healthz") { _, _ in
            response("ok\n", type: "text/plain; charset=utf-8")
        }
        return router
    }

    /// A Hummingbird application serving ``router(engine:registry:refreshSeconds:)`` on `address`.
    ///
    /// Run it in the same `ServiceGroup` as the engine. Binding fails (and the application's `run()`
    /// throws) if the address is in use.
    /// - Parameter onRunning: called with the bound port once the server listens.
    package static func application(
        address: ListenAddress,
        engine: PollingEngine,
        registry: PrometheusCollectorRegistry,
        refreshSeconds: Int,
        history: (any HistoryStore)? = nil,
        instances: (@Sendable () async throws -> (instances: [InstanceInfo], this: Int64))? = nil,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(engine: engine, registry: registry, refreshSeconds: refreshSeconds, history: history, instances: instances),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "urlpoll"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? address.port) },
            logger: logger
        )
    }

    private static func response(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
