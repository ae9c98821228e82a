import Foundation
import Logging
import NIOCore
import Testing

@testable import LeanHTTP
@testable import URLPollApp
@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport
@testable import URLPollWeb

#if canImport(Glibc)
    import Glibc
#endif

/// ``PollPhases`` as a value: sums, the slowest phase, saturation, and how reports write it.
struct PollPhasesTests {
    @Test func phasesAddUpAndAbsentStaysAbsent() {
        let first = PollPhases(connect: .milliseconds(2), ttfb: .milliseconds(10), transfer: .microseconds(5))
        let second = PollPhases(dns: .milliseconds(1), ttfb: .milliseconds(20))
        let sum = first.adding(second)
        #expect(sum == PollPhases(dns: .milliseconds(1), connect: .milliseconds(2), ttfb: .milliseconds(30), transfer: .microseconds(5)))
        #expect(sum[.tls] == nil)
        #expect(PollPhases().isEmpty && !sum.isEmpty)
        #expect(PollPhases().adding(PollPhases()).isEmpty)
    }

    @Test func theSlowestPhaseIsNamedFirstAmongEquals() {
        #expect(PollPhases().slowest == nil)
        let phases = PollPhases(connect: .milliseconds(3), tls: .milliseconds(40), ttfb: .milliseconds(40))
        #expect(phases.slowest?.phase == .tls)
        #expect(phases.slowest?.duration == .milliseconds(40))
        #expect(PollPhases(transfer: .zero).slowest?.phase == .transfer)
    }

    @Test func phasesKeepMicrosecondsAndSaturate() {
        var phases = PollPhases(ttfb: .nanoseconds(1_999))
        #expect(phases[.ttfb] == .microseconds(1))
        phases[.ttfb] = .seconds(100_000)
        #expect(phases[.ttfb] == .microseconds(Int64(UInt32.max - 1)))
        phases[.ttfb] = .seconds(-1)
        #expect(phases[.ttfb] == .zero)
        #expect(MemoryLayout<PollPhases>.size == 20)
        let measured = PollPhases(nanoseconds: nil, connect: 211_999, tls: -5, ttfb: 1_000_000, transfer: Int64.max)
        #expect(
            measured == PollPhases(connect: .microseconds(211), tls: .zero, ttfb: .milliseconds(1), transfer: .microseconds(Int64(UInt32.max - 1)))
        )
        #expect(measured.microseconds(of: .dns) == nil && measured.microseconds(of: .ttfb) == 1_000)
        #expect(PollPhases().adding(measured) == measured && measured.adding(PollPhases()) == measured)
    }

    @Test func aMaxLatencyFailureNamesTheSlowestPhase() {
        var result = ProbeResult(outcome: .response(code: 200, reason: "OK"))
        result.phases = PollPhases(connect: .milliseconds(1), ttfb: .milliseconds(1_120), transfer: .milliseconds(2))
        let options = CheckOptions(maxLatency: .seconds(1))
        let verdict = CheckVerdict(result, latency: .milliseconds(1_200), options: options, now: Date())
        #expect(verdict == .init(health: .down, status: "200 OK, but took 1.2s (max-latency 1s; slowest phase ttfb 1.1s)"))
    }

    @Test func theJSONReportWritesEveryPhaseAndTheAddress() throws {
        var record = URLRecord(id: 0, url: "https://example.org/", since: Date(timeIntervalSince1970: 0))
        #expect(JSONReport.object(record).contains(#""phases_ms":null,"address":null,"kind":"http"}"#))
        record.apply(
            State(
                resourceID: 0,
                health: .up,
                status: "200 OK",
                code: 200,
                latency: .milliseconds(5),
                checkedAt: Date(timeIntervalSince1970: 1),
                consecutiveFailures: 0,
                phases: PollPhases(connect: .microseconds(211), tls: .microseconds(1_302), ttfb: .microseconds(400), transfer: .microseconds(12)),
                remoteAddress: "::1"
            )
        )
        let json = JSONReport.object(record)
        #expect(json.contains(#""phases_ms":{"dns":null,"connect":0.211,"tls":1.302,"ttfb":0.4,"transfer":0.012},"address":"::1","kind":"http"}"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["phases_ms"] as? [String: Any])?["tls"] as? Double == 1.302)
        let page = URLDetailPage.render(record, recent: [], history: nil, now: Date(timeIntervalSince1970: 2))
        #expect(page.contains("<tr><th>dns</th><td class=\"num\">-</td><td class=\"bar none\">did not happen</td></tr>"))
        #expect(page.contains("<tr><th>tls</th><td class=\"num\">1.3ms</td><td class=\"bar\"><span style=\"width:100%\"></span></td></tr>"))
        #expect(page.contains("<dt>address</dt><dd>::1</dd>"))
        let outage = Incident(url: record.url, downAt: Date(timeIntervalSince1970: 0), upAt: Date(timeIntervalSince1970: 90), firstStatus: "503")
        let withHistory = URLDetailPage.render(record, recent: [], history: URLHistory(incidents: [outage]), now: Date(timeIntervalSince1970: 100))
        #expect(withHistory.contains("<h2>Outages, last 30 days</h2>") && withHistory.contains("</time> 503 (lasted 1m30s)</li>"))
        var hostile = URLRecord(id: 1, url: "http://h.example/<script>x</script>", name: "<b>n</b>", since: Date(timeIntervalSince1970: 0))
        hostile.status = "<img src=x onerror=alert(1)>"
        hostile.health = .down
        let escaped = URLDetailPage.render(hostile, recent: [], history: nil, now: Date())
        #expect(!escaped.contains("<script>x") && !escaped.contains("<img") && !escaped.contains("<b>n</b>"))
        #expect(StatusPage.phasesTitle(record.phases) == #" title="connect 0.2ms · tls 1.3ms · ttfb 0.4ms · transfer 0ms""#)
    }
}

/// Phase timing and `ip-version` against real loopback servers, through the lean client's probe (the
/// async-http-client probe reports only `ttfb` and `transfer`).
/// Serialized: the phases are measured, and side by side on 2 cores another test's load would blur them.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PhaseTimingTests {
    static let logger = Logger.silent

    static func probe(_ url: String, session: any ProbeSession, options: CheckOptions = CheckOptions(insecureTLS: true)) async -> ProbeResult {
        let request = ProbeRequest(url: url, options: options, method: .get, timeout: .seconds(10))
        return await session.probe(request, deadline: .now() + .seconds(10))
    }

    @Test func aDelayedFirstByteShowsInTTFBNotInConnect() async throws {
        try await RecordingTarget.with(tls: true) { target in
            target.log.firstByteDelays.withLock { $0["/late"] = .milliseconds(300) }
            let session = try NIOProbe().makeSession()
            defer { session.close() }
            let first = await Self.probe(target.url("/late"), session: session)
            #expect(first.outcome.code == 200)
            let phases = first.phases
            #expect(phases[.dns] == nil, "an address needs no lookup")
            let connect = try #require(phases[.connect])
            let tls = try #require(phases[.tls])
            let ttfb = try #require(phases[.ttfb])
            #expect(phases[.transfer] != nil)
            #expect(ttfb >= .milliseconds(300))
            #expect(connect < .milliseconds(300) && tls < .milliseconds(300), "connect \(connect), tls \(tls)")
            #expect(first.remoteAddress == "127.0.0.1")

            // The same session again: the kept-alive connection has no connect or TLS phase.
            let second = await Self.probe(target.url("/late"), session: session)
            #expect(second.phases[.connect] == nil && second.phases[.tls] == nil && second.phases[.dns] == nil)
            #expect(try #require(second.phases[.ttfb]) >= .milliseconds(300))
            #expect(second.remoteAddress == "127.0.0.1")
            #expect(target.log.connections == 1)
        }
    }

    @Test func aTimeoutKeepsThePhasesItGotThrough() async throws {
        try await MisbehavingTarget.with(.silence) { silent in
            let session = try NIOProbe().makeSession()
            defer { session.close() }
            // 3 s, not 1: under the full suite's load a loopback connect alone once took over a second.
            let request = ProbeRequest(url: silent.url, options: CheckOptions(), method: .get, timeout: .seconds(3))
            let result = await session.probe(request, deadline: .now() + .seconds(3))
            #expect(result.outcome == .failure(reason: "timed out after 3s"))
            // Connected (by address: no lookup), then no answer: the phases say the server is to blame.
            #expect(result.phases[.connect] != nil)
            #expect(result.phases[.dns] == nil && result.phases[.ttfb] == nil && result.phases[.transfer] == nil)
        }
    }

    @Test func aHostNameIsResolvedAndTimed() async throws {
        try await RecordingTarget.with { target in
            let session = try NIOProbe().makeSession()
            defer { session.close() }
            let result = await Self.probe("http://localhost:\(target.port)/named", session: session)
            #expect(result.outcome.code == 200)
            #expect(result.phases[.dns] != nil)
            #expect(result.phases[.connect] != nil)
            #expect(result.phases[.tls] == nil, "http has no TLS phase")
            #expect(result.remoteAddress == "127.0.0.1")
        }
    }

    @Test func ipVersionSixReachesTheIPv6Loopback() async throws {
        try await RecordingTarget.with(host: "::1") { target in
            let session = try NIOProbe().makeSession()
            defer { session.close() }
            let six = await Self.probe(target.url("/six"), session: session, options: CheckOptions(ipVersion: .v6))
            #expect(six.outcome.code == 200)
            #expect(six.remoteAddress == "::1")
            let four = await Self.probe(target.url("/four"), session: session, options: CheckOptions(ipVersion: .v4))
            #expect(four.outcome == .failure(reason: "no IPv4 address for ::1"))
        }
    }

    @Test func ipVersionSixRefusesAHostWithOnlyIPv4() async throws {
        try await RecordingTarget.with { target in
            let session = try NIOProbe().makeSession()
            defer { session.close() }
            let address = await Self.probe(target.url("/v4"), session: session, options: CheckOptions(ipVersion: .v6))
            #expect(address.outcome == .failure(reason: "no IPv6 address for 127.0.0.1"))
            // What `localhost` resolves to depends on the machine's hosts file: the poll follows it.
            let (v4, v6) = try HostResolver.lookUp(host: "localhost", port: target.port)
            let named = await Self.probe("http://localhost:\(target.port)/v6", session: session, options: CheckOptions(ipVersion: .v6))
            if v6.isEmpty {
                #expect(named.outcome == .failure(reason: "no IPv6 address for localhost"))
            } else {
                #expect(named.outcome.code == nil, "nothing listens on [::1]:\(target.port)")
            }
            let four = await Self.probe("http://localhost:\(target.port)/v4", session: session, options: CheckOptions(ipVersion: .v4))
            #expect(four.outcome.code == (v4.isEmpty ? nil : 200))
        }
    }

    /// The whole run: `ip-version: 6` from the config file, the report's `phases_ms` and `address`.
    @Test func theReportShowsThePhasesAndTheAddressOfARun() async throws {
        try await RecordingTarget.with(host: "::1") { target in
            target.log.firstByteDelays.withLock { $0["/late"] = .milliseconds(300) }
            let directory = try TemporaryDirectory()
            let path = directory.file("urlpoll.yml")
            try """
            urls:
              - url: \(target.url("/late"))
                ip-version: 6
              - url: \(target.url("/slow"))
                max-latency: 100ms
                ip-version: any

            """.save(toFile: path)
            target.log.firstByteDelays.withLock { $0["/slow"] = .milliseconds(300) }
            var flags = Settings.Overrides()
            flags.once = true
            flags.quiet = true
            flags.database = Settings.Database.none
            let configuration = try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: flags), environment: [:])
            let options = URLPollApplication.Options(client: .nio, shutdownSignals: [])
            let outcome = try await URLPollApplication(configuration: configuration, options: options, logger: Self.logger).run()
            let json = JSONReport.render(outcome.report)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let urls = try #require(report["urls"] as? [[String: Any]])
            let late = try #require(urls.first { ($0["url"] as? String) == target.url("/late") })
            #expect(late["state"] as? String == "up")
            #expect(late["address"] as? String == "::1")
            let phases = try #require(late["phases_ms"] as? [String: Any])
            #expect(phases["dns"] is NSNull)
            #expect(try #require(phases["ttfb"] as? Double) >= 300)
            #expect(try #require(phases["connect"] as? Double) < 300)
            let slow = try #require(urls.first { ($0["url"] as? String) == target.url("/slow") })
            #expect(slow["state"] as? String == "down")
            let status = try #require(slow["status"] as? String)
            #expect(status.hasPrefix("200 OK, but took ") && status.contains("(max-latency 100ms; slowest phase ttfb "), "\(status)")
        }
    }

    @Test func ipVersionMistakesHaveTheirPlace() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("urlpoll.yml")
        try "urls:\n  - url: http://127.0.0.1:1/\n    ip-version: 5\n".save(toFile: path)
        #expect {
            try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: Settings.Overrides()), environment: [:])
        } throws: { error in
            (error as? InputError)?.message == "\(path):3:17: urls[0].ip-version: \"5\" is not an IP version (4, 6 or any)"
        }
        for (yaml, expected) in [
            ("urls:\n  - url: http://127.0.0.1:1/\n    ip-version: 6\n", "\(path):2:10: urls[0]: the host is an IPv4 address, but ip-version is 6"),
            ("defaults:\n  ip-version: 4\nurls:\n  - https://[::1]:1/\n", "\(path):4:5: urls[0]: the host is an IPv6 address, but ip-version is 4"),
        ] {
            try yaml.save(toFile: path)
            #expect {
                try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: Settings.Overrides()), environment: [:])
            } throws: { error in
                (error as? InputError)?.message.hasPrefix(expected) == true
            }
        }
        #expect(IPVersion.ofAddress("[fe80::1%eth0]") == .v6 && IPVersion.ofAddress("10.0.0.5") == .v4 && IPVersion.ofAddress("example.org") == nil)
        try "defaults:\n  ip-version: 4\nurls:\n  - http://127.0.0.1:1/\n".save(toFile: path)
        let configuration = try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: Settings.Overrides()), environment: [:])
        #expect(configuration.targets.options.allSatisfy { $0.ipVersion == .v4 })
    }
}
