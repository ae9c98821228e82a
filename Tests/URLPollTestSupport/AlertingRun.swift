import Foundation
import Logging

@testable import URLPollApp
@testable import URLPollConfig
@testable import URLPollCore

/// One whole urlpoll run in process, from a YAML config, for alert tests: started, handed to `body`
/// (with the web server's port when `listen`), then stopped gracefully; returns the final report.
enum AlertingRun {
    static let logger = Logger.silent

    static func run(
        _ yaml: String,
        database: String? = nil,
        pollers: Int? = nil,
        listen: Bool = false,
        environment: [String: String] = [:],
        _ body: @Sendable (_ port: Int?) async throws -> Void
    ) async throws -> Report {
        let config = try TemporaryFile(yaml)
        var flags = Settings.Overrides()
        flags.database = database.map { .sqlite(path: $0) } ?? Settings.Database.none
        flags.quiet = true
        flags.pollers = pollers
        let sources = RunConfiguration.Sources(arguments: [], file: nil, config: config.path, flags: flags, listen: listen ? "127.0.0.1:0" : nil)
        let configuration = try RunConfiguration.load(sources, environment: environment)
        let (stops, stop) = AsyncStream<Void>.makeStream()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let options = URLPollApplication.Options(
            shutdownSignals: [],
            onListening: { port in
                portContinuation.yield(port)
                portContinuation.finish()
            },
            stopRequests: stops
        )
        let application = Task { try await URLPollApplication(configuration: configuration, options: options, logger: logger).run() }
        var port: Int?
        if listen {
            var iterator = ports.makeAsyncIterator()
            port = await iterator.next()
        }
        do {
            try await body(port)
        } catch {
            stop.yield()
            _ = try? await application.value
            throw error
        }
        stop.yield()
        return try await application.value.report
    }
}
