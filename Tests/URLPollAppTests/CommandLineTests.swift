import Foundation
import Testing

@testable import URLPollTestSupport

/// End-to-end checks of the real `urlpoll` binary (built next to the test bundle).
@Suite(.timeLimit(.minutes(2)))
struct CommandLineTests {
    @Test func onceExitsZeroWhenEveryURLIsUp() async throws {
        try await FakeTarget.with { target in
            let result = try await URLPollProcess.run(["--once", target.url("/ok"), target.url("/redirect")])
            #expect(result.status == 0)
            #expect(result.stdout.contains("up 2  down 0  pending 0"))
        }
    }

    @Test func onceExitsOneWhenAnyURLIsDown() async throws {
        try await FakeTarget.with { target in
            let result = try await URLPollProcess.run(["--once", "--timeout", "5s", target.url("/ok"), target.url("/status/500")])
            #expect(result.status == 1)
            #expect(result.stdout.contains("500 Internal Server Error"))
        }
    }

    /// `--connect-timeout` reaches both clients (it once did not reach async-http-client).
    @Test(arguments: ["nio", "async-http-client"])
    func theConnectTimeoutFlagReachesEitherClient(client: String) async throws {
        let listener = try UnacceptingListener()
        let result = try await URLPollProcess.run(
            ["--once", "--format", "json", "--http-client", client, "--connect-timeout", "300ms", "--timeout", "20s", listener.url]
        )
        #expect(result.status == 1)
        #expect(result.stdout.contains(#""status":"connect timed out""#), "\(result.stdout)")
    }

    @Test func jsonReportsAreSingleLinesOfJSON() async throws {
        try await FakeTarget.with { target in
            let result = try await URLPollProcess.run(["--once", "--format", "json", target.url("/ok"), "http://127.0.0.1:1/"])
            #expect(result.status == 1)
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(object["up"] as? Int == 1 && object["down"] as? Int == 1)
            #expect(result.stderr.contains("connection refused"))
        }
    }

    @Test func readsURLListsFromFilesAndStandardInput() async throws {
        try await FakeTarget.with { target in
            let list = "# targets\n\n  \(target.url("/ok"))  \n\(target.url("/status/204"))\n\(target.url("/ok"))\n"
            let file = try TemporaryFile(list)
            let fromFile = try await URLPollProcess.run(["--once", "-f", file.path])
            #expect(fromFile.status == 0)
            #expect(fromFile.stdout.contains("up 2  down 0  pending 0"))
            #expect(fromFile.stderr.contains("duplicate URL \(target.url("/ok")) at \(file.path):5 (first at \(file.path):3)"))
            let fromStdin = try await URLPollProcess.run(["--once", "--file", "-"], stdin: list)
            #expect(fromStdin.status == 0)
            #expect(fromStdin.stdout.contains("up 2"))
        }
    }

    /// A quorum above 1 without a shared database could never be reached: said at start; the URL is
    /// judged by this one location's view (up here: a quorum of 2 is never down from one location).
    @Test func aQuorumWithoutASharedDatabaseIsWarnedAbout() async throws {
        try await FakeTarget.with { target in
            let config = try TemporaryFile("urls:\n  - url: \"\(target.url("/status/503"))\"\n    quorum: 2\n")
            let result = try await URLPollProcess.run(["--once", "--database", "none", "--format", "json", "-c", config.path])
            #expect(result.stderr.contains("quorum: 2 needs instances in 2 locations sharing a PostgreSQL database"), "\(result.stderr)")
            #expect(
                result.stdout.contains(#""state":"up","status":"503 Service Unavailable from (unnamed location) only (quorum 2)""#),
                "\(result.stdout)"
            )
            #expect(result.stdout.contains(#""locations":[{"location":"","state":"down""#))
            #expect(result.status == 0)
        }
    }

    @Test(arguments: [
        (["--bogus", "http://a/"], "Unknown option '--bogus'"),
        (["--interval", "10", "http://a/"], "\"10\" has no unit"),
        (["--timeout", "soon", "http://a/"], "\"soon\" is not a duration"),
        (["--pollers", "0", "http://a/"], "--pollers must be from 1 to 100000 (got 0)"),
        (["--format", "xml", "http://a/"], "The value 'xml' is invalid for '--format <format>'"),
        (["ftp://a/"], "argument 1: invalid URL \"ftp://a/\""),
        ([], "no URLs to poll"),
        (["--file", "/nonexistent/urls.txt"], "/nonexistent/urls.txt: cannot read the URL list (no such file)"),
    ])
    func badInputGivesOneClearMessageAndStatus64(arguments: [String], message: String) async throws {
        let result = try await URLPollProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message))
        #expect(!result.stderr.contains("Fatal error"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aBadLineInAURLListNamesFileAndLine() async throws {
        let file = try TemporaryFile("http://ok.example/\n# fine\nhttps://\n")
        let result = try await URLPollProcess.run(["--once", "--file", file.path])
        #expect(result.status == 64)
        #expect(result.stderr == "Error: \(file.path):3: invalid URL \"https://\": missing host\n")
    }

    @Test func anEmptyURLListIsAnError() async throws {
        let file = try TemporaryFile("# nothing yet\n\n")
        let result = try await URLPollProcess.run(["--file", file.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("the URL list is empty"))
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsGracefullyWithAFinalReport(signal: Int32) async throws {
        try await FakeTarget.with { target in
            let process = try URLPollProcess.start(["--status-interval", "200ms", "--format", "json", target.url("/ok")])
            try await process.waitForOutput { $0.contains("\"up\":1") }
            let reportsBefore = process.stdout.split(separator: "\n").count
            process.signal(signal)
            let result = try await process.finish()
            #expect(result.status == 0)
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count > reportsBefore)
            for line in lines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
            }
        }
    }

    @Test func durationStopsTheRunWithStatusZero() async throws {
        try await FakeTarget.with { target in
            let result = try await URLPollProcess.run(["--duration", "1s", "--status-interval", "200ms", target.url("/status/503")])
            #expect(result.status == 0)
            // At least one periodic report and the final one (how many periodic ones fit, and whether the first
            // still shows the URL pending, depends on the machine's load); the final one shows the poll.
            let reports = result.stdout.split(separator: "\n").filter { $0.contains("  up ") && $0.contains("  pending ") }
            #expect(reports.count >= 2)
            #expect(reports.last?.hasSuffix("up 0  down 1  pending 0") == true)
        }
    }

    @Test func helpDocumentsEveryFlagAndCommand() async throws {
        let overview = try await URLPollProcess.run(["--help"])
        #expect(overview.status == 0)
        for command in ["run (default)", "history", "incidents"] { #expect(overview.stdout.contains(command)) }
        #expect(!overview.stdout.contains("bench-store"))
        let result = try await URLPollProcess.run(["help", "run"])
        #expect(result.status == 0)
        for flag in [
            "--file", "--pollers", "--interval", "--status-interval", "--error-backoff", "--max-backoff", "--timeout", "--once", "--format",
            "--duration", "--log-level", "--database", "--listen", "--http-client",
        ] {
            #expect(result.stdout.contains(flag), "\(flag)")
        }
        // The defaults the help quotes are the engine's.
        let help = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("(default: 64)") && help.contains("(default: 1m)") && help.contains("(default: urlpoll.sqlite)"))
    }

    @Test func statsWritesTheRunsFiguresLastAndQuietPrintsNoReport() async throws {
        try await FakeTarget.with { target in
            let urls = (0..<20).map { target.url("/tracked/\($0)") }
            let file = try TemporaryFile(urls.joined(separator: "\n"))
            let result = try await URLPollProcess.run([
                "--file", file.path, "--interval", "0s", "--pollers", "4", "--duration", "8s", "--quiet", "--stats", "-",
            ])
            #expect(result.status == 0)
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            for key in StatsKeys.benchmark { #expect(object[key] != nil, "missing \(key)") }
            let polls = try #require(object["polls"] as? Int)
            #expect(polls == (object["ok"] as? Int))
            #expect(polls == (await target.tracker.total))
            #expect(object["urls"] as? Int == 20)
            // Fairness at interval 0: every URL was polled, and about equally often (8 s leave room for many
            // rounds even on a machine starved by the whole suite starting at once: each poll of the tracked
            // route takes 30 ms, so a round of 20 URLs at 4 pollers takes 150 ms).
            let fewest = try #require(object["per_url_polls_min"] as? Int)
            let most = try #require(object["per_url_polls_max"] as? Int)
            #expect(fewest > 0, "\(polls) polls in all, at most \(most) of one URL")
            #expect(most - fewest <= max(4, most / 3))  // goref's spread in the benchmark: 146..1047
            #expect((object["vm_hwm_kb"] as? Int ?? 0) > 0)
        }
    }
}
