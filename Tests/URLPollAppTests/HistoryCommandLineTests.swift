import Crypto
import Foundation
import GRDB
import Testing

@testable import URLPollTestSupport

/// The real binary with its history database: restarts, `kill -9`, refusals, the queries, and none.
@Suite(.timeLimit(.minutes(2)))
struct HistoryCommandLineTests {
    static func json(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func firstURL(_ report: [String: Any]) throws -> [String: Any] {
        try #require((report["urls"] as? [[String: Any]])?.first)
    }

    /// Three `--once` runs against a failing server: the failure count goes on across restarts; then a
    /// long run whose back-off (1 h after 3 failures) is not over shows the restored state at once, and
    /// does not poll.
    @Test func aRestartGoesOnWhereTheLastRunStopped() async throws {
        try await MisbehavingTarget.with(.answers(CannedResponses.serviceUnavailable)) { target in
            let directory = try TemporaryDirectory()
            var checkedAt: [String] = []
            for run in 1...3 {
                let result = try await URLPollProcess.run(["--once", "--format", "json", target.url], directory: directory)
                #expect(result.status == 1)
                let url = try Self.firstURL(try Self.json(result.stdout.split(separator: "\n").last ?? ""))
                #expect(url["consecutive_failures"] as? Int == run)
                checkedAt.append(url["checked_at"] as? String ?? "")
            }
            let requests = target.counters.requests.load(ordering: .relaxed)
            let process = try URLPollProcess.start(
                ["--format", "json", "--error-backoff", "1h", "--status-interval", "100ms", target.url],
                directory: directory
            )
            try await process.waitForOutput { $0.contains("\n") }
            process.signal(SIGTERM)
            let result = try await process.finish()
            let first = try Self.firstURL(try Self.json(result.stdout.split(separator: "\n").first ?? ""))
            #expect(first["state"] as? String == "down")
            #expect(first["consecutive_failures"] as? Int == 3)
            #expect(first["checked_at"] as? String == checkedAt.last)
            #expect(first["status"] as? String == "503 Service Unavailable")
            #expect(target.counters.requests.load(ordering: .relaxed) == requests)
        }
    }

    /// `kill -9` while results pour in: the database opens cleanly, and what is missing is at most about
    /// the last batch window (250 ms; generously bounded here, measured in BENCHMARKS.md).
    @Test func killedMidWriteTheDatabaseIsIntactAndLosesLittle() async throws {
        try await MisbehavingTarget.with(.keepAlive) { target in
            let directory = try TemporaryDirectory()
            let urls = try TemporaryFile((0..<20).map { "\(target.url)?n=\($0)" }.joined(separator: "\n"))
            let process = try URLPollProcess.start(
                ["--file", urls.path, "--interval", "0s", "--pollers", "4", "--quiet", "--database", "h.sqlite"],
                directory: directory
            )
            await target.counters.waitForAnswers(3_000)
            process.signal(SIGKILL)
            let killedAt = Date()
            _ = try await process.finish()
            let answered = target.counters.requests.load(ordering: .relaxed)
            let queue = try DatabaseQueue(path: directory.file("h.sqlite"))
            let (integrity, stored, newest) = try await queue.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                    // Results (a row holds a URL's results of one batch), and the newest result's time
                    // (each URL's last check is written in the same transaction as its results).
                    try Int.fetchOne(db, sql: "SELECT sum(n) FROM result") ?? 0,
                    try Int64.fetchOne(db, sql: "SELECT max(checked_at) FROM url") ?? 0
                )
            }
            #expect(integrity == "ok")
            #expect(stored > 0 && stored <= answered)
            let newestAge = killedAt.timeIntervalSince1970 - Double(newest) / 1000
            #expect(newestAge < 1.5, "the newest stored result is \(newestAge) s older than the kill")
        }
    }

    @Test func aDatabaseFromANewerURLPollIsRefusedBeforeAnyPoll() async throws {
        try await MisbehavingTarget.with(.keepAlive) { target in
            let directory = try TemporaryDirectory()
            let path = directory.file("urlpoll.sqlite")
            _ = try await URLPollProcess.run(["--once", target.url], directory: directory)
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999')") }
            try queue.close()
            let before = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path)))
            let requests = target.counters.requests.load(ordering: .relaxed)
            let result = try await URLPollProcess.run(["--once", target.url], directory: directory)
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("Error: urlpoll.sqlite: the history database was written by a newer urlpoll"))
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(target.counters.requests.load(ordering: .relaxed) == requests)
            #expect(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))) == before)
        }
    }

    @Test func anUnwritableDatabasePathIsOneMessage() async throws {
        let result = try await URLPollProcess.run(["--once", "--database", "/nonexistent/dir/h.sqlite", "http://127.0.0.1:9/"])
        #expect(result.status == 64)
        #expect(result.stderr == "Error: /nonexistent/dir/h.sqlite: cannot create the history database (no such directory /nonexistent/dir)\n")
    }

    @Test func databaseNoneWritesNothing() async throws {
        try await MisbehavingTarget.with(.keepAlive) { target in
            let directory = try TemporaryDirectory()
            let result = try await URLPollProcess.run(["--once", "--database", "none", target.url], directory: directory)
            #expect(result.status == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
            let queried = try await URLPollProcess.run(["incidents"], directory: directory)
            #expect(queried.status == 64)
            #expect(queried.stderr.hasPrefix("Error: urlpoll.sqlite: no history database here"))
        }
    }

    /// `history` and `incidents` in each format, after runs with an up and a down URL.
    @Test func theQueriesPrintEveryFormat() async throws {
        try await MisbehavingTarget.with(.answers(CannedResponses.serviceUnavailable)) { failing in
            try await MisbehavingTarget.with(.keepAlive) { healthy in
                let directory = try TemporaryDirectory()
                for _ in 0..<2 { _ = try await URLPollProcess.run(["--once", healthy.url, failing.url], directory: directory) }
                let text = try await URLPollProcess.run(["history", failing.url], directory: directory)
                #expect(text.status == 0)
                #expect(text.stdout.hasPrefix("\(failing.url): 2 results since "))
                #expect(text.stdout.contains("down   503   "))
                #expect(text.stdout.contains("ongoing") && text.stdout.contains("503 Service Unavailable"))

                let json = try await URLPollProcess.run(["history", failing.url, "--format", "json"], directory: directory)
                let document = try Self.json(Substring(json.stdout))
                #expect((document["results"] as? [[String: Any]])?.count == 2)
                #expect((document["incidents"] as? [[String: Any]])?.first?["ongoing"] as? Bool == true)

                let csv = try await URLPollProcess.run(["history", healthy.url, "--format", "csv", "--since", "1h"], directory: directory)
                let lines = csv.stdout.split(separator: "\n")
                #expect(lines.first == "checked_at,state,code,latency_ms,method,status" && lines.count == 3)
                #expect(lines.dropFirst().allSatisfy { $0.contains(",up,200,") && $0.hasSuffix(",HEAD,200 OK") })

                let incidents = try await URLPollProcess.run(["incidents"], directory: directory)
                #expect(incidents.stdout.hasPrefix("URL ") && incidents.stdout.contains(failing.url) && !incidents.stdout.contains(healthy.url))
                let incidentsJSON = try await URLPollProcess.run(["incidents", "--format", "json"], directory: directory)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(incidentsJSON.stdout.utf8)) as? [[String: Any]])
                #expect(list.count == 1 && list.first?["url"] as? String == failing.url && list.first?["up_at"] is NSNull)
                let incidentsCSV = try await URLPollProcess.run(["incidents", "--format", "csv"], directory: directory)
                #expect(incidentsCSV.stdout.hasPrefix("url,down_at,up_at,duration_s,status\n\(failing.url),"))
            }
        }
    }
}
