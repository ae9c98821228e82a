import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// `urlpoll sync-config` and instances following the configuration in their PostgreSQL database: the
/// real binary against a throwaway cluster and loopback targets.
@Suite(.enabled(if: PostgresCluster.available, "needs PostgreSQL (apt-get install postgresql)"), .timeLimit(.minutes(8)))
struct SharedConfigTests {
    @Test func aBadFileOrANonSharedDatabaseWritesNothing() async throws {
        let cluster = try await PostgresCluster.shared()
        let location = try await cluster.makeDatabase()
        let url = cluster.url(database: location.database)
        let bad = try TemporaryFile("urls:\n  - url: http://127.0.0.1:9/\n    intervall: 5s\n")
        let refused = try await URLPollProcess.run(["sync-config", "-c", bad.path, "--database", url])
        #expect(refused.status == 64)
        #expect(refused.stderr.hasPrefix("Error: \(bad.path):3:5: ") && refused.stderr.contains("intervall"))
        let good = try TemporaryFile("urls: [http://127.0.0.1:9/]\n")
        let sqlite = try await URLPollProcess.run(["sync-config", "-c", good.path, "--database", "/tmp/x.sqlite"])
        #expect(sqlite.status == 64 && sqlite.stderr.contains("sync-config needs a PostgreSQL database"))
        #expect(try await cluster.psql("SELECT to_regclass('urlpoll.config') IS NULL", database: location.database) == "t")
    }

    /// An instance started with one URL on its command line runs the version sync-config writes (a new
    /// URL is polled, the old one stops), and the same file again writes nothing.
    @Test func runningInstancesFollowTheNewestVersion() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let url = cluster.url(database: location.database)
            try await MisbehavingTarget.with(.keepAlive) { first in
                try await MisbehavingTarget.with(.keepAlive) { second in
                    let instance = try URLPollProcess.start(["--interval", "100ms", "--status-interval", "500ms", "--database", url, first.url])
                    await first.counters.waitForAnswers(1)
                    let file = try TemporaryFile("interval: 100ms\nurls:\n  - url: \(second.url)\n    name: second\n")
                    let written = try await URLPollProcess.run(["sync-config", "-c", file.path, "--database", url])
                    #expect(written.status == 0)
                    #expect(
                        written.stdout
                            == "\(location): configuration version 1 written from \(file.path) (1 URLs); running instances follow it within their status interval\n"
                    )
                    await second.counters.waitForAnswers(3)
                    try await instance.waitForLog { $0.contains("reloaded \(location) config version 1: ") }
                    try await instance.waitForLog { $0.contains("the URLs given on the command line are not polled") }
                    let again = try await URLPollProcess.run(["sync-config", "-c", file.path, "--database", url])
                    #expect(again.stdout == "\(location): \(file.path) is unchanged from version 1; nothing written\n")
                    // The first URL is no longer polled: its count stops moving.
                    let stopped = first.counters.requests.load(ordering: .relaxed)
                    await second.counters.waitForAnswers(second.counters.requests.load(ordering: .relaxed) + 5)
                    #expect(first.counters.requests.load(ordering: .relaxed) <= stopped + 1)
                    instance.signal(SIGTERM)
                    #expect(try await instance.finish().status == 0)
                }
            }
        }
    }

    /// An instance whose own config file differs from the shared version says so and follows the database.
    @Test func aDifferentLocalFileIsNamedAndTheDatabaseWins() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let url = cluster.url(database: location.database)
            try await MisbehavingTarget.with(.keepAlive) { shared in
                try await MisbehavingTarget.with(.keepAlive) { local in
                    let sharedFile = try TemporaryFile("interval: 100ms\nurls: [\(shared.url)]\n")
                    #expect(try await URLPollProcess.run(["sync-config", "-c", sharedFile.path, "--database", url]).status == 0)
                    let localFile = try TemporaryFile("interval: 100ms\nurls: [\(local.url)]\n")
                    let instance = try URLPollProcess.start(["-c", localFile.path, "--status-interval", "500ms", "--database", url])
                    try await instance.waitForLog {
                        $0.contains(
                            "config: \(localFile.path) differs from the shared configuration (version 1 in \(location)); following the database"
                        )
                    }
                    await shared.counters.waitForAnswers(3)
                    instance.signal(SIGTERM)
                    #expect(try await instance.finish().status == 0)
                }
            }
        }
    }

    /// `/api/instances` on any instance lists every live instance with its location and heartbeat; one
    /// that stops leaves the list.
    @Test func everyInstanceListsTheLiveOnes() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let url = cluster.url(database: location.database)
            try await MisbehavingTarget.with(.keepAlive) { target in
                func start(_ place: String) async throws -> (URLPollProcess, String) {
                    let process = try URLPollProcess.start([
                        "--listen", "127.0.0.1:0", "--location", place, "--interval", "1s", "--database", url, target.url,
                    ])
                    try await process.waitForLog { $0.contains("serving the status page on http://127.0.0.1:") }
                    let line = try #require(process.stderr.split(separator: "\n").first { $0.contains("serving the status page on ") })
                    return (process, String(line[line.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces))
                }
                let (eu, euBase) = try await start("eu")
                let (us, _) = try await start("us-east.1")
                let listed = try await HTTPGet.text("\(euBase)api/instances")
                let document = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])
                let instances = try #require(document["instances"] as? [[String: Any]])
                #expect(instances.map { $0["location"] as? String } == ["eu", "us-east.1"])
                #expect(instances.map { $0["this"] as? Bool } == [true, false])
                #expect(instances.allSatisfy { ($0["heartbeat_age_s"] as? Double ?? 99) < 30 && $0["name"] as? String != nil })
                us.signal(SIGTERM)
                #expect(try await us.finish().status == 0)
                let after = try await HTTPGet.text("\(euBase)api/instances")
                #expect(after.contains("\"location\":\"eu\"") && !after.contains("us-east.1"))
                eu.signal(SIGTERM)
                #expect(try await eu.finish().status == 0)
                let bad = try await URLPollProcess.run(["--once", "--location", "eu west", target.url])
                #expect(bad.status == 64 && bad.stderr.contains("\"eu west\" is not a location name"))
            }
        }
    }
}
