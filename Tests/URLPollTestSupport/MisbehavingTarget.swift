import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP server on 127.0.0.1 that breaks HTTP on purpose (or, with ``Behaviour/keepAlive``, counts
/// the connections of a well-behaved one), for tests.
struct MisbehavingTarget {
    enum Behaviour: Sendable, Equatable {
        /// Answers with bytes that are not HTTP.
        case garbage
        /// Resets the connection (RST) after reading the request.
        case reset
        /// Reads the request and never answers.
        case silence
        /// Closes the connection (FIN) without answering.
        case close
        /// Sends a status line, then header lines forever.
        case endlessHeaders
        /// Sends the response head one byte every 200 ms.
        case trickle
        /// Answers 200 as if keeping the connection alive, then closes it 100 ms later (an idle timeout).
        case okThenHangUp
        /// Well-behaved: answers every request 200 with an empty body and keeps the connection.
        case keepAlive
        /// As ``keepAlive``, but sends three stray bytes after each response.
        case strayBytesAfterResponse
        /// Answers every request with these bytes and keeps the connection (until the client closes it).
        case answers(String)
    }

    /// Counts what the server saw; shared by its connection tasks.
    final class Counters: Sendable {
        let connections = Atomic<Int>(0)
        let requests = Atomic<Int>(0)
        /// Requests answered, and who waits for a count of them.
        private let answered = Mutex<(count: Int, waiting: [(Int, CheckedContinuation<Void, Never>)])>((0, []))

        func answeredOne() {
            let ready = answered.withLock { state in
                state.count += 1
                let count = state.count
                defer { state.waiting.removeAll { $0.0 <= count } }
                return state.waiting.filter { $0.0 <= count }.map(\.1)
            }
            for waiter in ready { waiter.resume() }
        }

        /// Returns once the server has answered `count` requests.
        func waitForAnswers(_ count: Int) async {
            await withCheckedContinuation { continuation in
                let done = answered.withLock { state in
                    if state.count >= count { return true }
                    state.waiting.append((count, continuation))
                    return false
                }
                if done { continuation.resume() }
            }
        }

        /// Connections the server closed after answering (``Behaviour/okThenHangUp``), and who waits for a count.
        private let hangUps = Mutex<(count: Int, waiting: [(Int, CheckedContinuation<Void, Never>)])>((0, []))

        func hungUp() {
            let ready = hangUps.withLock { state in
                state.count += 1
                let count = state.count
                defer { state.waiting.removeAll { $0.0 <= count } }
                return state.waiting.filter { $0.0 <= count }.map(\.1)
            }
            for waiter in ready { waiter.resume() }
        }

        /// Returns once the server has hung up on every connection it accepted so far.
        func waitForEveryHangUp() async {
            let target = connections.load(ordering: .relaxed)
            await withCheckedContinuation { continuation in
                let done = hangUps.withLock { state in
                    if state.count >= target { return true }
                    state.waiting.append((target, continuation))
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }

    let port: Int
    let counters: Counters

    var url: String { "http://127.0.0.1:\(port)/" }

    /// Runs `body` with a live server that behaves as `behaviour` on every connection.
    static func with<T: Sendable>(_ behaviour: Behaviour, _ body: (MisbehavingTarget) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        let counters = Counters()
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            // On an event loop, not Swift's pool (as ``LoopbackServer``): a busy pool must not make the
            // server late, or its timing (a hang-up 100 ms after an answer, a trickle) would drift.
            tasks.addTask(executorPreference: LoopbackServer.executor) {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in inbound {
                            counters.connections.add(1, ordering: .relaxed)
                            connections.addTask { try? await serve(connection, behaviour, counters) }
                        }
                    }
                }
            }
            defer { tasks.cancelAll() }
            return try await body(MisbehavingTarget(port: port, counters: counters))
        }
    }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ behaviour: Behaviour, _ counters: Counters) async throws {
        let channel = connection.channel
        try await connection.executeThenClose { inbound, outbound in
            var requests = inbound.makeAsyncIterator()
            let answer: String?
            switch behaviour {
            case .keepAlive: answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            case .strayBytesAfterResponse: answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nXYZ"
            case .answers(let text): answer = text
            default: answer = nil
            }
            if let answer {
                // Answers each complete request head (probes send no body), however the reads split them.
                var received = ""
                while let bytes = try await requests.next() {
                    received += String(buffer: bytes)
                    while let end = received.range(of: "\r\n\r\n") {
                        received.removeSubrange(..<end.upperBound)
                        counters.requests.add(1, ordering: .relaxed)
                        try await outbound.write(ByteBuffer(string: answer))
                        counters.answeredOne()
                    }
                }
                return
            }
            _ = try await requests.next()
            switch behaviour {
            case .garbage:
                try await outbound.write(ByteBuffer(string: "\u{01}\u{02}NOT HTTP AT ALL\r\n\r\n"))
            case .reset:
                try await (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            case .silence:
                try await Task.sleep(for: .seconds(60))
            case .close:
                return
            case .endlessHeaders:
                try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\n"))
                let line = ByteBuffer(string: "X-Filler: " + String(repeating: "a", count: 1000) + "\r\n")
                while !Task.isCancelled { try await outbound.write(line) }
            case .okThenHangUp:
                try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
                try await Task.sleep(for: .milliseconds(100))
                try await channel.close()
                counters.hungUp()
            case .trickle:
                for byte in "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8 {
                    try await outbound.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .milliseconds(200))
                }
            case .keepAlive, .strayBytesAfterResponse, .answers:
                break
            }
        }
    }
}
