import ArgumentParser
import Foundation
import URLPollApp

/// `urlpoll sync-config -c FILE --database postgres://…`: shares a configuration with every instance on
/// the database.
struct SyncConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-config",
        abstract: "Write a config file into a PostgreSQL database as the configuration every instance there runs.",
        discussion: """
            Checks the file as a run would load it (every mistake is reported with its file, line and \
            column, and nothing is written), then stores its text as the next version, unless it equals \
            the newest. Every urlpoll instance on the database runs the newest version: it checks at start, \
            every status interval and on SIGHUP, and applies a new one the way SIGHUP reloads a file \
            (settings that need a restart are named in a warning). ${VARIABLES} are stored as written and \
            expanded by each instance, so secrets stay in each instance's environment. See docs/postgresql.md.

            Exit status: 0 when the version is written (or unchanged), 64 for an invalid config file or a \
            database that is not PostgreSQL or cannot be used.
            """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("The YAML config file to share.", valueName: "path"))
    var config: String

    @Option(help: ArgumentHelp("The PostgreSQL database (default: the file's database:).", valueName: "url"))
    var database: String?

    func run() async throws {
        do {
            print(try await ConfigSync.write(configPath: config, database: database))
        } catch let failure as URLPollApplication.Failure {
            throw usageFailure(failure.message)
        }
    }
}
