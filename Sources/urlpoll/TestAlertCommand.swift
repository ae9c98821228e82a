import ArgumentParser
import Foundation
import URLPollApp
import URLPollConfig

/// `urlpoll test-alert [RECEIVER] -c FILE`: sends a test event through the configured receivers.
struct TestAlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-alert",
        abstract: "Send a test alert to the receivers of a config file, to check the setup.",
        discussion: """
            Sends an event of kind "test" to RECEIVER (or to every receiver in alerts:) through the same \
            code real alerts use: the same payload, signature, template, Alertmanager call or command, one \
            attempt each, no retries. Prints one line per receiver; secrets (webhook paths, tokens, header \
            values) are never printed.

            Exit status: 0 when every receiver accepted the event, 1 when one did not, 64 for an invalid \
            config file or an unknown receiver name.
            """
    )

    @Argument(help: "The receiver's name (default: every receiver).")
    var receiver: String?

    @Option(name: [.short, .long], help: ArgumentHelp("The YAML config file with the alerts: receivers.", valueName: "path"))
    var config: String

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let sources = RunConfiguration.Sources(arguments: [], file: nil, config: config, flags: .init())
        let loaded: RunConfiguration
        do {
            loaded = try RunConfiguration.load(sources, requiresURLs: false)
        } catch {
            throw usageFailure(error.message)
        }
        let outcome: (lines: [String], allDelivered: Bool)
        do {
            outcome = try await URLPollApplication.sendTestAlert(loaded, receiver: receiver)
        } catch {
            throw usageFailure(error.message)
        }
        for line in outcome.lines { print(line) }
        if !outcome.allDelivered { throw ExitCode(1) }
    }
}
