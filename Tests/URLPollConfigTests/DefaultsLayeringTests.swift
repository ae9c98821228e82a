import Foundation
import Testing

@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// The `defaults:` block reaches every URL, wherever it was listed: arguments, a `--file` list and `urls:`.
struct DefaultsLayeringTests {
    static let config = """
        timeout: 9s
        defaults:
          insecure-tls: true
          timeout: 4s
          headers:
            X-Team: ops
        urls:
          - https://127.0.0.1:9/from-config
          - url: https://127.0.0.1:9/own
            timeout: 2s
        """

    @Test func everySourceGetsTheDefaults() throws {
        let config = try TemporaryFile(Self.config)
        let list = try TemporaryFile("https://127.0.0.1:9/from-list\n")
        let sources = RunConfiguration.Sources(arguments: ["https://127.0.0.1:9/from-argument"], file: list.path, config: config.path, flags: .init())
        let configuration = try RunConfiguration.load(sources, environment: [:])
        let options = Dictionary(uniqueKeysWithValues: configuration.targets.targets.map { ($0.url.shown, $0.options) })
        for url in ["https://127.0.0.1:9/from-argument", "https://127.0.0.1:9/from-list", "https://127.0.0.1:9/from-config"] {
            let checked = try #require(options[url])
            #expect(checked.insecureTLS, "\(url)")
            #expect(checked.timeout == .seconds(4), "\(url)")
            #expect(checked.headers.map(\.name) == ["X-Team"], "\(url)")
        }
        // A URL's own setting still wins over the defaults.
        #expect(options["https://127.0.0.1:9/own"]?.timeout == .seconds(2))
        #expect(options["https://127.0.0.1:9/own"]?.insecureTLS == true)
    }

    @Test func aFlagStillLosesToTheDefaultsButBeatsTheTopLevel() throws {
        let config = try TemporaryFile("interval: 20s\ndefaults:\n  timeout: 4s\nurls: [http://127.0.0.1:9/a]\n")
        var flags = Settings.Overrides()
        flags.timeout = .seconds(7)
        flags.interval = .seconds(30)
        let configuration = try RunConfiguration.load(
            .init(arguments: ["http://127.0.0.1:9/b"], file: nil, config: config.path, flags: flags),
            environment: [:]
        )
        for (_, options) in configuration.targets.targets {
            #expect(options.timeout == .seconds(4))
            #expect(options.interval == .seconds(30))
        }
    }

    /// The binary: a self-signed https server listed with `--file` is up because `defaults:` says
    /// `insecure-tls: true` (it used to fail verification).
    @Test func aListedHTTPSURLIsCheckedWithTheDefaults() async throws {
        try await TLSTarget.with(validFor: 86_400) { target in
            let config = try TemporaryFile("defaults:\n  insecure-tls: true\n")
            let list = try TemporaryFile("\(target.url)\n")
            let result = try await URLPollProcess.run(["--once", "--format", "json", "-c", config.path, "-f", list.path])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains(#""state":"up""#))
        }
    }
}
