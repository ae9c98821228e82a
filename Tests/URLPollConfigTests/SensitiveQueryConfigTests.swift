import Foundation
import Testing

@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// `sensitive-query:` as the config file and the command line layer it.
struct SensitiveQueryConfigTests {
    /// `sensitive-query:` in `defaults:` reaches every URL (arguments and lists too), and a URL's own adds
    /// to it; the built-in names always apply.
    @Test func sensitiveQueryNamesLayerLikeSensitiveHeaders() throws {
        let file = try TemporaryFile(
            "defaults:\n  sensitive-query: [session]\nurls:\n  - url: https://a.example/?session=1&sid=2&token=3\n    sensitive-query: sid\n"
        )
        let configuration = try RunConfiguration.load(
            RunConfiguration.Sources(arguments: ["https://b.example/?session=4&sid=5"], file: nil, config: file.path, flags: .init())
        )
        #expect(
            configuration.targets.urls.map(\.shown).sorted() == [
                "https://a.example/?session=<redacted>&sid=<redacted>&token=<redacted>", "https://b.example/?session=<redacted>&sid=5",
            ]
        )
        #expect(!ConfigDescription.render(configuration).contains("session=1"))
    }
}
