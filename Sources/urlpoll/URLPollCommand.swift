import ArgumentParser
import URLPollCore

/// The `urlpoll` command: `run` (the default, so `urlpoll URL…` polls), and the history queries
/// `history` and `incidents`.
@main
struct URLPollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "urlpoll",
        abstract: "Poll HTTP(S) URLs and TCP ports on an interval, report whether each is up, and keep their history.",
        discussion: """
            Without a command, urlpoll runs: `urlpoll URL…` is `urlpoll run URL…` (see `urlpoll help run` for \
            every flag). `urlpoll history URL` and `urlpoll incidents` read the history a run keeps.
            """,
        version: URLPollVersion.current,
        subcommands: [
            RunCommand.self, HistoryCommand.self, IncidentsCommand.self, TestAlertCommand.self, SyncConfigCommand.self, BenchStoreCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
