import ArgumentParser
import Foundation
import URLPollApp
import URLPollCore

/// The options `history` and `incidents` share: which database they read, and how they print.
struct HistoryOutputOptions: ParsableArguments {
    @Option(help: "Output: text, json or csv.")
    var format: HistoryListing.Format = .text

    @Option(help: ArgumentHelp("The history database: a SQLite file or a postgres:// URL.", valueName: "path|url"))
    var database = Settings.defaultDatabasePath

    @Option(
        help: ArgumentHelp(
            "Also hide the values of this query parameter in the URLs shown, as the config's sensitive-query: does (repeatable; userinfo and token, key, apikey, api_key, access_token, password, secret, sig and signature are always hidden).",
            valueName: "name"
        )
    )
    var sensitiveQuery: [String] = []

    var redaction: URLRedaction { URLRedaction(adding: sensitiveQuery) }
}

/// `urlpoll history URL`: one URL's stored results and outages.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Print the stored results and outages of one URL.",
        discussion: """
            Reads the history database a run keeps (it never writes it). Text is a table of results, oldest \
            first, then the URL's outages; json is one document with both; csv is the results only. Exit \
            status: 0, or 64 when the database cannot be read.
            """
    )

    @Argument(help: "The URL, as it is monitored.")
    var url: String

    @Option(help: ArgumentHelp("Only results since this long ago. (default: 24h)", valueName: "duration"), transform: parseDuration)
    var since: Duration = .seconds(86_400)

    @OptionGroup var output: HistoryOutputOptions

    func run() async throws {
        do {
            let now = Date()
            print(
                try await HistoryQueries.history(
                    url: url,
                    since: now.addingTimeInterval(-since.seconds),
                    database: output.database,
                    format: output.format,
                    redaction: output.redaction,
                    now: now
                ),
                terminator: ""
            )
        } catch let failure as URLPollApplication.Failure {
            throw usageFailure(failure.message)
        }
    }
}

/// `urlpoll incidents`: outages across every URL.
struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List the outages of every URL, newest first; ongoing ones are marked.",
        discussion: "Reads the history database a run keeps (it never writes it). Exit status: 0, or 64 when the database cannot be read."
    )

    @Option(
        help: ArgumentHelp("Only outages that lasted into the time since this long ago. (default: 7d)", valueName: "duration"),
        transform: parseDuration
    )
    var since: Duration = .seconds(7 * 86_400)

    @OptionGroup var output: HistoryOutputOptions

    func run() async throws {
        do {
            let now = Date()
            print(
                try await HistoryQueries.incidents(
                    since: now.addingTimeInterval(-since.seconds),
                    database: output.database,
                    format: output.format,
                    redaction: output.redaction,
                    now: now
                ),
                terminator: ""
            )
        } catch let failure as URLPollApplication.Failure {
            throw usageFailure(failure.message)
        }
    }
}

extension HistoryListing.Format: ExpressibleByArgument {}
