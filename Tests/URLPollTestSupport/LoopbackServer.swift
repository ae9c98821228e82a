import Hummingbird
import LeanHTTP
import Logging
import NIOPosix
import ServiceLifecycle

/// Serves a Hummingbird router on 127.0.0.1 with an ephemeral port for the duration of `body`.
///
/// The server's tasks (its connections and the route handlers) run on an event loop, not on Swift's
/// global pool: that pool has one thread per core, and a test elsewhere in the process that holds one
/// (a synchronous file or process call, a long computation) would otherwise delay every answer, so that
/// polls of a well-behaved target time out on a busy machine.
enum LoopbackServer {
    /// The executor of every test server's tasks: one event loop of SwiftNIO's shared group.
    static let executor = EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton.next())

    static func serve<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "loopback-server")
        logger.logLevel = .critical
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        // Stopped by a graceful shutdown that is awaited, never by cancelling the serving task first:
        // cancelling it while an accepted connection is still queued traps in SwiftNIO ("Deinited
        // NIOAsyncWriter without calling finish()", apple/swift-nio#2637). Handlers still running after
        // two seconds (a /slow request whose client gave up) are then cancelled by the group itself.
        var configuration = ServiceGroupConfiguration(services: [.init(service: app)], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        let group = ServiceGroup(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask(executorPreference: Self.executor) { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(port))
            } catch {
                outcome = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            return try outcome.get()
        }
    }
}
