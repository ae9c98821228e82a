import ArgumentParser
import Foundation
import URLPollApp

/// `urlpoll bench-store` (hidden): the history path's micro-benchmark (``StoreBenchmark``).
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-store",
        abstract: "Measure how fast results reach the history database, and their size on disk.",
        shouldDisplay: false
    )

    @Option(help: "Results to record.")
    var results = 1_000_000

    @Option(help: "URLs they are spread over.")
    var urls = 1_000

    @Option(help: "The database file to create (replaced if it exists).")
    var database = "bench-store.sqlite"

    @Option(help: "Seconds between two results of one URL; the results end now.")
    var spacing: Double = 1

    @Option(help: "The URLs, a printf pattern with one %d or %05d for the URL's number.")
    var urlPattern = "https://bench-%d.example/health"

    @Flag(help: "Write straight into the store (no monitor, no writer): the store's own speed.")
    var direct = false

    func run() async throws {
        let urls = (0..<urls).map { String(format: urlPattern, $0) }
        let figures =
            direct
            ? try await StoreBenchmark.runDirect(results: results, urls: urls, spacing: spacing, path: database)
            : try await StoreBenchmark.run(results: results, urls: urls, spacing: spacing, path: database)
        print(figures.json, terminator: "")
    }
}
