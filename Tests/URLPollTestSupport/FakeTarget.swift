import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A well-behaved HTTP server on 127.0.0.1 with an ephemeral port, for tests.
///
/// Routes (HEAD is answered on every GET route):
/// - `/ok` → 200; `/status/{code}` → that status;
/// - `/redirect` → 301 to `/ok`; `/loop` → 302 to itself; `/chain/{n}` → n more redirects, then `/ok`;
/// - `/slow/{ms}` → 200 after `ms` milliseconds;
/// - `/tracked/{name}` → 200 after 30 ms, counted by ``tracker`` (polls in flight, overall and per name);
/// - `/nohead` → HEAD 405, GET 200; `/head501` → HEAD 501, GET 200 (requests counted as `HEAD /nohead` ...);
/// - `/body` → 200 with ``bodyText``; `/endless` → 200 with a body that never ends;
///   `/slowbody` → 200 at once, then one body byte every 300 ms; `/big` → 200 with 8 MiB (Content-Length set);
/// - `/toftp` → 302 to an ftp URL; `/auth` → 200 with `Authorization: Bearer s3cret`, 401 otherwise.
struct FakeTarget {
    let port: Int
    let tracker: InFlightTracker

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static let bodyText = #"{"status":"ok","version":"1.2.3"}"#

    /// Runs `body` with a live server, and shuts the server down afterwards.
    static func with<T: Sendable>(_ body: (FakeTarget) async throws -> T) async throws -> T {
        let tracker = InFlightTracker()
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.get("/ok") { _, _ in "ok" }
        router.get("/status/{code}") { _, context -> HTTPResponse.Status in
            HTTPResponse.Status(code: try context.parameters.require("code", as: Int.self))
        }
        router.get("/redirect") { _, _ in Response(status: .movedPermanently, headers: [.location: "/ok"]) }
        router.get("/loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        router.get("/chain/{n}") { _, context in
            let n = try context.parameters.require("n", as: Int.self)
            return Response(status: .found, headers: [.location: n > 1 ? "/chain/\(n - 1)" : "/ok"])
        }
        router.get("/slow/{ms}") { _, context in
            try await Task.sleep(for: .milliseconds(try context.parameters.require("ms", as: Int.self)))
            return "late"
        }
        router.get("/tracked/{name}") { _, context in
            let name = try context.parameters.require("name")
            await tracker.enter(name)
            try? await Task.sleep(for: .milliseconds(30))
            await tracker.leave(name)
            return "ok"
        }
        for (path, status) in [("/nohead", HTTPResponse.Status.methodNotAllowed), ("/head501", .notImplemented)] {
            router.head(RouterPath(path)) { _, _ -> HTTPResponse.Status in
                await tracker.enter("HEAD \(path)")
                await tracker.leave("HEAD \(path)")
                return status
            }
            router.get(RouterPath(path)) { _, _ in
                await tracker.enter("GET \(path)")
                await tracker.leave("GET \(path)")
                return "ok"
            }
        }
        router.get("/body") { _, _ in Self.bodyText }
        router.get("/toftp") { _, _ in Response(status: .found, headers: [.location: "ftp://files.invalid/x"]) }
        router.get("/auth") { request, _ -> HTTPResponse.Status in
            request.headers[.authorization] == "Bearer s3cret" ? .ok : .unauthorized
        }
        router.get("/endless") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)
                    while !Task.isCancelled { try await writer.write(chunk) }
                }
            )
        }
        router.get("/slowbody") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<100 {
                        try await writer.write(ByteBuffer(string: "."))
                        try await Task.sleep(for: .milliseconds(300))
                    }
                }
            )
        }
        router.get("/big") { _, _ in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "b"), count: 8 << 20)))
        }
        return try await LoopbackServer.serve(router) { port in try await body(FakeTarget(port: port, tracker: tracker)) }
    }
}

/// Counts requests in flight, overall and per name, and remembers the largest counts seen.
actor InFlightTracker {
    private(set) var current = 0
    private(set) var maximum = 0
    private(set) var total = 0
    private var perName: [String: Int] = [:]
    private(set) var maximumPerName = 0
    private(set) var hits: [String: Int] = [:]

    func enter(_ name: String) {
        current += 1
        total += 1
        maximum = max(maximum, current)
        perName[name, default: 0] += 1
        maximumPerName = max(maximumPerName, perName[name, default: 0])
        hits[name, default: 0] += 1
    }

    func leave(_ name: String) {
        current -= 1
        perName[name, default: 0] -= 1
    }
}
