import LeanHTTP
import NIOCore
import URLPollCore

/// Polls URLs with urlpoll's lean HTTP/1.1 client (``LeanHTTPClient``): the default probe.
///
/// Each ``Poller`` gets a session on one event loop of the client and runs on that loop's executor
/// (``executor(forPoller:)``), so a poll never changes threads and the pollers of a loop share its idle
/// keep-alive connections. The scheduler's alarms ring on the first loop's timer (``alarmClock``).
/// Behaviour matches ``AsyncHTTPClientProbe`` (same contract tests): this adapter only translates a
/// ``ProbeRequest`` into a ``LeanHTTPRequest`` and the answer back.
package struct NIOProbe: Probe {
    package let client: LeanHTTPClient

    /// - Throws: if the client's TLS contexts cannot be created (no usable system trust store).
    package init(configuration: LeanHTTPClient.Configuration = LeanHTTPClient.Configuration(userAgent: URLPollVersion.userAgent)) throws {
        client = try LeanHTTPClient(configuration: configuration)
    }

    package func makeSession() -> any ProbeSession {
        Session(client.makeSession())
    }

    /// A session on the event loop of ``executor(forPoller:)``; while it runs there, it shares that
    /// loop's idle connections.
    package func makeSession(forPoller index: Int) -> any ProbeSession {
        Session(client.makeSession(onLoop: index))
    }

    package func executor(forPoller index: Int) -> (any TaskExecutor)? {
        client.executor(forLoop: index)
    }

    /// Alarms on the first event loop's timer: no timer thread to wake, and the woken scheduler runs
    /// where pollers run.
    package var alarmClock: any AlarmClock {
        EventLoopAlarmClock(executor: client.executor(forLoop: 0))
    }

    /// One poller's session. Owned by that poller's task alone.
    final class Session: ProbeSession {
        let session: LeanHTTPSession

        init(_ session: LeanHTTPSession) {
            self.session = session
        }

        func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
            let leanRequest = LeanHTTPRequest(
                url: request.url,
                method: LeanHTTPRequest.Method(rawValue: request.method.rawValue) ?? .get,
                headers: request.headers.map { LeanHTTPRequest.Header(name: $0.name, value: $0.value.revealed) },
                connectTimeout: request.connectTimeout,
                bodyLimit: request.bodyLimit,
                drainLimit: ProbeRequest.drainLimit,
                skipsCertificateVerification: request.insecureTLS,
                tls: (request.tls as? PreparedTLSContext)?.profile,
                reusesConnection: request.reuseConnections,
                body: request.body,
                ipVersion: LeanHTTP.IPVersion(request.ipVersion)
            )
            let response: LeanHTTPResponse
            do {
                response = try await session.send(leanRequest, deadline: deadline)
            } catch {
                throw ProbeFailure(reason: FailureDescription.describe(error, timeout: request.timeout), phases: Self.phases(session.lastTiming))
            }
            var exchange = ProbeExchange(code: response.code, reason: response.reason, location: response.location)
            exchange.body = response.body
            exchange.bodyTruncated = response.bodyTruncated
            exchange.certificateExpiry = response.certificateExpiry
            exchange.remoteAddress = response.remoteAddress
            exchange.phases = Self.phases(response.timing)
            return exchange
        }

        private static func phases(_ timing: ExchangeTiming) -> PollPhases {
            PollPhases(
                nanoseconds: timing.dns?.nanoseconds,
                connect: timing.connect?.nanoseconds,
                tls: timing.tls?.nanoseconds,
                ttfb: timing.firstByte?.nanoseconds,
                transfer: timing.transfer?.nanoseconds
            )
        }

        func close() {
            session.close()
        }
    }
}
