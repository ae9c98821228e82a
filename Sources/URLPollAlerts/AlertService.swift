import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import URLPollCore

/// Alerting as a service of the run: the ``AlertEngine``, one ``DeliveryWorker`` per receiver, the tick
/// (reminders, the end of a suspicion) and the optional `connectivity-check` poller.
///
/// The engine hears about polls from the history writer (``listener``), after they are stored. List this
/// service *before* the history writer in the service group: services stop in reverse order, so it stops
/// after the writer has handed on the last batch. Stopping, it gives queued deliveries up to
/// ``shutdownGrace`` to go out; the rest stay in the store's outbox for the next start.
package struct AlertService: Service {
    package static let tickInterval: Duration = .seconds(5)
    package static let shutdownGrace: Duration = .seconds(5)

    let engine: AlertEngine
    let workers: [DeliveryWorker]
    let http: ReceiverHTTPClient
    let settings: AlertSettings
    let connectivityProbe: (any Probe)?
    let checkTimeout: Duration
    let recheckInterval: Duration
    let logger: Logger

    /// The engine, to hand to the history writer as its listener.
    package var listener: any HistoryListener { engine }

    /// - Parameters:
    ///   - store: where alert state is kept (the history database, or memory).
    ///   - probe: polls the `connectivity-check` URL, if one is configured.
    ///   - metrics: where delivery counts and the self-check gauge go, if anywhere.
    /// - Throws: ``DeliveryError`` naming a receiver whose template does not parse.
    package init(
        settings: AlertSettings,
        targets: TargetList,
        store: any AlertStore,
        board: AlertStatusBoard,
        probe: (any Probe)? = nil,
        checkTimeout: Duration = .seconds(10),
        recheckInterval: Duration = Confirmation.defaultRecheck,
        metrics: AlertMetrics? = nil,
        logger: Logger
    ) throws(DeliveryError) {
        let http = ReceiverHTTPClient()
        var workers: [String: DeliveryWorker] = [:]
        for receiver in settings.routing.receivers {
            let made: any Receiver
            do {
                made = try Receivers.make(receiver, instance: settings.instance, http: http)
            } catch {
                Task { await http.shutdown() }
                throw error
            }
            workers[receiver.name] = DeliveryWorker(
                receiver: made,
                policy: RetryPolicy(attempts: receiver.attempts),
                metrics: metrics,
                logger: logger
            )
        }
        self.http = http
        self.workers = Array(workers.values)
        self.settings = settings
        self.connectivityProbe = settings.connectivityCheck == nil ? nil : probe
        self.checkTimeout = checkTimeout
        self.recheckInterval = recheckInterval
        self.logger = logger
        engine = AlertEngine(settings: settings, targets: targets, store: store, board: board, workers: workers, metrics: metrics, logger: logger)
    }

    /// Checks what can only be checked by building the receivers (templates parse), without sending.
    ///
    /// - Throws: ``DeliveryError`` naming the first receiver whose template does not parse.
    package static func validate(_ settings: AlertSettings) throws(DeliveryError) {
        for receiver in settings.routing.receivers {
            guard case .template(_, _, let source, let contentType, _) = receiver.kind else { continue }
            do {
                _ = try TemplateReceiver.compile(source, contentType: contentType)
            } catch {
                throw DeliveryError("alerts receiver \(Excerpt.quoted(receiver.name)): \(error.message)", isRetryable: false)
            }
        }
    }

    /// A reload's new URL list (names, receivers, thresholds per URL).
    package func reload(_ targets: TargetList) async {
        await engine.reload(targets)
    }

    package func run() async {
        await engine.start()
        await withDiscardingTaskGroup { group in
            for worker in workers {
                group.addTask { [engine] in await worker.run { ids in await engine.finished(ids) } }
            }
            group.addTask { [engine] in
                while (try? await Task.sleep(for: Self.tickInterval)) != nil {
                    await engine.tick(at: Date())
                }
            }
            if let probe = connectivityProbe, let url = settings.connectivityCheck {
                group.addTask { await checkConnectivity(url, with: probe) }
            }
            try? await gracefulShutdown()
            await withTaskGroup(of: Void.self) { grace in
                grace.addTask { for worker in workers { await worker.waitUntilDrained() } }
                grace.addTask { try? await Task.sleep(for: Self.shutdownGrace) }
                await grace.next()
                grace.cancelAll()
            }
            group.cancelAll()
        }
        await http.shutdown()
    }

    /// Polls the `connectivity-check` URL every recheck interval until cancelled: a failure without an
    /// answer means urlpoll's own network is down.
    private func checkConnectivity(_ url: TargetURL, with probe: any Probe) async {
        let session = probe.makeSession(forPoller: 0)
        var options = CheckOptions(timeout: checkTimeout)
        if let authorization = url.basicAuthorization { options = options.adding(HeaderField(name: "Authorization", value: authorization.revealed)) }
        while !Task.isCancelled {
            let request = ProbeRequest(url: url.requested, options: options, method: .head, timeout: checkTimeout)
            let result = await session.probe(request, deadline: NIODeadline.now() + TimeAmount.nanoseconds(checkTimeout.wholeNanoseconds))
            await engine.connectivityChecked(failed: result.outcome.code == nil, at: Date())
            guard (try? await Task.sleep(for: recheckInterval)) != nil else { break }
        }
        session.close()
    }
}
