import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// An alert receiver for tests: an HTTP server on 127.0.0.1 that records every POST (path, headers,
/// body, time) and answers from a script: each request takes the next ``Answer`` (then `200`).
struct WebhookSink {
    enum Answer: Sendable {
        case status(Int)
        /// Never answers (until the client gives up).
        case hang
    }

    struct Delivery: Sendable {
        let path: String
        var query: String? = nil
        let headers: [String: String]
        let body: [UInt8]
        let status: Int
        let at: ContinuousClock.Instant

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    final class Log: Sendable {
        let deliveries = Mutex<[Delivery]>([])
        let script = Mutex<[Answer]>([])
        /// Requests received and not yet answered.
        let inProgress = Mutex(0)
        var all: [Delivery] { deliveries.withLock { $0 } }
        /// Deliveries the sink accepted (answered 2xx).
        var accepted: [Delivery] { all.filter { (200..<300).contains($0.status) } }
    }

    let port: Int
    let log: Log

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The next requests get these answers, in order.
    func answer(_ answers: [Answer]) { log.script.withLock { $0 += answers } }

    /// Waits until `count` requests are being held (answered later, or never).
    func waitForRequestsInProgress(_ count: Int) async throws {
        try await Eventually.wait("\(count) requests in progress") { log.inProgress.withLock { $0 } >= count }
    }

    /// Waits (up to `timeout`) until `condition` holds for the deliveries so far.
    func wait(timeout: Duration = .seconds(20), until condition: ([Delivery]) -> Bool) async throws {
        try await Eventually.wait("webhook deliveries (\(log.all.count) so far)", timeout: timeout) { condition(log.all) }
    }

    static func with<T: Sendable>(_ body: (WebhookSink) async throws -> T) async throws -> T {
        let log = Log()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let answer = log.script.withLock { $0.isEmpty ? Answer.status(200) : $0.removeFirst() }
            log.inProgress.withLock { $0 += 1 }
            defer { log.inProgress.withLock { $0 -= 1 } }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status: Int
            switch answer {
            case .status(let code): status = code
            case .hang:
                status = 0
                try? await Task.sleep(for: .seconds(3600))
            }
            log.deliveries.withLock {
                $0.append(
                    Delivery(path: request.uri.path, query: request.uri.query, headers: headers, body: Array(buffer: bytes), status: status, at: .now)
                )
            }
            return Response(status: HTTPResponse.Status(code: status))
        }
        return try await LoopbackServer.serve(router) { port in try await body(WebhookSink(port: port, log: log)) }
    }
}

/// A target whose URLs `/u/{name}` answer 200 or 503 as the test switches them, counting polls.
struct SwitchTarget {
    final class State: Sendable {
        let down = Mutex<Set<String>>([])
        /// URLs that answer 503 and 200 in turn, one request after the other (decided here, so no
        /// test task has to keep pace with the poller).
        let alternating = Mutex<Set<String>>([])
        let polls = Mutex<[String: [ContinuousClock.Instant]]>([:])
    }

    let port: Int
    let state: State

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/u/\(name)" }
    func setDown(_ name: String, _ isDown: Bool) { state.down.withLock { if isDown { $0.insert(name) } else { $0.remove(name) } } }
    func polls(_ name: String) -> [ContinuousClock.Instant] { state.polls.withLock { $0[name] ?? [] } }
    /// Makes `name` answer 503 on its next request, 200 on the one after, and so on.
    func setAlternating(_ name: String) { state.alternating.withLock { _ = $0.insert(name) } }

    /// Waits until `name` has been polled at least `count` times in all.
    func waitForPolls(_ name: String, atLeast count: Int) async throws {
        try await Eventually.wait("\(count) polls of \(name)") { polls(name).count >= count }
    }

    /// How often `name` is polled in the next `window` (a measurement, for cadence checks).
    func pollCount(_ name: String, during window: Duration) async throws -> Int {
        let before = polls(name).count
        try await Task.sleep(for: window)
        return polls(name).count - before
    }

    static func with<T: Sendable>(down: Set<String> = [], _ body: (SwitchTarget) async throws -> T) async throws -> T {
        let state = State()
        state.down.withLock { $0 = down }
        let router = Router(options: .autoGenerateHeadEndpoints)
        // A request with `X-Location: L` (a header the instance's config sends) is also counted, and may
        // be down, as `name@L`: the same URL seen from several locations.
        router.get("/u/{name}") { request, context -> HTTPResponse.Status in
            let name = try context.parameters.require("name")
            let location = request.headers.first { $0.name.canonicalName == "x-location" }.map { "\(name)@\($0.value)" }
            let count = state.polls.withLock { polls in
                polls[name, default: []].append(.now)
                if let location { polls[location, default: []].append(.now) }
                return polls[name]?.count ?? 0
            }
            if state.alternating.withLock({ $0.contains(name) }) { return count.isMultiple(of: 2) ? .ok : .serviceUnavailable }
            let down = state.down.withLock { $0.contains(name) || location.map($0.contains) == true }
            return down ? .serviceUnavailable : .ok
        }
        return try await LoopbackServer.serve(router) { port in try await body(SwitchTarget(port: port, state: state)) }
    }
}
