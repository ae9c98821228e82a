import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

/// What users expect around the command: `--version`, shell completions, a man page that matches the
/// command's options, and a hardened systemd unit that systemd accepts.
@Suite(.timeLimit(.minutes(1)))
struct ShellTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func versionIsTheOneTheUserAgentAndMetricsShow() async throws {
        let result = try await URLPollProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "\(URLPollVersion.current)\n")
        #expect(URLPollVersion.userAgent == "urlpoll/\(URLPollVersion.current)")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowTheOptions(shell: String) async throws {
        let result = try await URLPollProcess.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        for option in ["--check-config", "--connect-timeout", "--http-client", "--listen"] {
            #expect(result.stdout.contains(option.dropFirst(2)), "\(shell): \(option)")
        }
    }

    /// The shipped man page (`scripts/generate-man`) lists every option the command has now.
    @Test func theManPageListsEveryOption() async throws {
        let page = try String(contentsOf: Self.repository.appendingPathComponent("docs/man/urlpoll.1"), encoding: .utf8)
        let help = try await URLPollProcess.run(["--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any])
        let command = try #require(json["command"] as? [String: Any])
        var commands = [command]
        var options: [String] = []
        while let next = commands.popLast() {
            if (next["shouldDisplay"] as? Bool) == false { continue }
            commands += next["subcommands"] as? [[String: Any]] ?? []
            for argument in next["arguments"] as? [[String: Any]] ?? [] {
                if let name = (argument["names"] as? [[String: Any]])?.first(where: { $0["kind"] as? String == "long" })?["name"] as? String {
                    options.append(name)
                }
            }
        }
        #expect(options.count > 20)
        for option in Set(options) where option != "help" && option != "version" {
            // `.Fl -name`, or `.Fl x , -name` for an option with a short name too.
            #expect(
                page.contains("Fl -\(option) ") || page.contains(", -\(option) ") || page.contains("Fl -\(option)\n"),
                "the man page lacks --\(option): run scripts/generate-man"
            )
        }

    }

    /// `--threshold` counts tenths: 20 fails an exposure above 2.0 (the unit scores 1.4, "OK").
    @Test(.enabled(if: systemdAnalyze != nil || Tool.required, "needs systemd-analyze"))
    func theSystemdUnitVerifiesAndIsHardened() async throws {
        let analyze = try #require(Self.systemdAnalyze)
        var unit = try String(contentsOf: Self.repository.appendingPathComponent("deploy/urlpoll.service"), encoding: .utf8)
        #expect(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        #expect(unit.contains("DynamicUser=yes") && unit.contains("StateDirectory=urlpoll") && unit.contains("ProtectSystem=strict"))
        // systemd checks that the program exists: point the unit at the binary just built.
        unit = unit.replacingOccurrences(of: "/usr/local/bin/urlpoll", with: URLPollProcess.executable.path)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("urlpoll-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("urlpoll.service").path
        try unit.save(toFile: path)
        let verify = try #require(await Tool.run(analyze, ["verify", "--man=no", path]))
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        let security = try #require(await Tool.run(analyze, ["security", "--offline=true", "--threshold=20", path]))
        #expect(security.status == 0, "exposure above 2.0: \(security.stdout.suffix(200))")
    }
}
