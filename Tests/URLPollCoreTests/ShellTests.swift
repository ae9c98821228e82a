import Foundation
import Testing
import URLPollCore

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
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        let options = arguments.compactMap { ($0["names"] as? [[String: Any]])?.first { $0["kind"] as? String == "long" }?["name"] as? String }
        #expect(options.count > 15)
        for option in options where option != "help" && option != "version" {
            #expect(page.contains("Fl -\(option)"), "the man page lacks --\(option): run scripts/generate-man")
        }
    }

    /// `--threshold` counts tenths: 20 fails an exposure above 2.0 (the unit scores 1.4, "OK").
    @Test(.enabled(if: systemdAnalyze != nil || LiveServerTests.toolsRequired, "needs systemd-analyze"))
    func theSystemdUnitVerifiesAndIsHardened() throws {
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
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let verify = try #require(Tool.run(analyze, ["verify", "--man=no", path]))
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        let security = try #require(Tool.run(analyze, ["security", "--offline=true", "--threshold=20", path]))
        #expect(security.status == 0, "exposure above 2.0: \(security.stdout.suffix(200))")
    }
}
