import ArgumentParser
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

    func run() async throws {
        print(try await StoreBenchmark.run(results: results, urls: urls, path: database).json, terminator: "")
    }
}
