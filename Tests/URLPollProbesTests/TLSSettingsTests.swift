import Foundation
import Logging
import NIOCore
import Testing
import X509

@testable import URLPollApp
@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

/// Per-URL TLS against servers built in the test, with a private CA and certificates made by
/// swift-certificates: `ca-file`, `ca-only`, mutual TLS, `server-name`, `min-tls-version`, and every
/// kind of bad file (one message naming it, exit 64).
/// Serialized: each test runs whole urlpoll runs with fresh TLS contexts (each parses the system's CA
/// bundle); at once they would load a 2-core machine enough to disturb timing-sensitive suites.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TLSSettingsTests {
    static let logger = Logger.silent

    /// Polls `url` once with the per-URL settings `fields` (YAML lines) and returns its status text.
    static func poll(_ url: String, _ fields: [String], in directory: TemporaryDirectory, client: HTTPClientChoice = .nio) async throws -> String {
        let yaml = "urls:\n  - url: \(url)\n" + fields.map { "    \($0)\n" }.joined()
        let path = directory.file("urlpoll-\(UUID().uuidString).yml")
        try yaml.save(toFile: path)
        var flags = Settings.Overrides()
        flags.once = true
        flags.quiet = true
        flags.database = Settings.Database.none
        flags.timeout = .seconds(20)  // generous: a loaded machine must not turn an answer into a timeout
        let configuration = try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: flags), environment: [:])
        let options = URLPollApplication.Options(client: client, shutdownSignals: [])
        let outcome = try await URLPollApplication(configuration: configuration, options: options, logger: logger).run()
        let record = try #require(outcome.report.urls.only)
        return "\(record.health.rawValue): \(record.status)"
    }

    @Test(arguments: HTTPClientChoice.allCases)
    func aPrivateCAServerIsUpWithItsCAFileAndDownWithout(client: HTTPClientChoice) async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve { port in
            let url = "https://127.0.0.1:\(port)/"
            let status1 = try await Self.poll(url, [], in: directory, client: client)
            #expect(status1.hasPrefix("down: "))
            let status2 = try await Self.poll(url, ["ca-file: ca.pem"], in: directory, client: client)
            #expect(status2 == "up: 200 OK")
            let status3 = try await Self.poll(url, ["ca-file: ca.pem", "ca-only: true"], in: directory, client: client)
            #expect(status3 == "up: 200 OK")
        }
    }

    @Test(arguments: HTTPClientChoice.allCases)
    func mutualTLSNeedsTheClientCertificate(client: HTTPClientChoice) async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve(requireClientCertificate: true) { port in
            let url = "https://127.0.0.1:\(port)/"
            let status4 = try await Self.poll(url, ["ca-file: ca.pem"], in: directory, client: client)
            #expect(status4.hasPrefix("down: "))
            let withCertificate = ["ca-file: ca.pem", "client-cert: client.pem", "client-key: client.key"]
            let status5 = try await Self.poll(url, withCertificate, in: directory, client: client)
            #expect(status5 == "up: 200 OK")
        }
    }

    /// By address, verified by name: the certificate names only `good.test`.
    @Test func theServerNameIsSentAndVerified() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve(names: [.dnsName("good.test")]) { port in
            let url = "https://127.0.0.1:\(port)/"
            let status6 = try await Self.poll(url, ["ca-file: ca.pem"], in: directory)
            #expect(status6.hasPrefix("down: "))
            let status7 = try await Self.poll(url, ["ca-file: ca.pem", "server-name: good.test"], in: directory)
            #expect(status7 == "up: 200 OK")
            let wrong = try await Self.poll(url, ["ca-file: ca.pem", "server-name: wrong.test"], in: directory)
            #expect(wrong.hasPrefix("down: ") && wrong.contains("certificate"), "\(wrong)")
        }
    }

    @Test(arguments: HTTPClientChoice.allCases)
    func aMinimumTLSVersionRefusesOlderServers(client: HTTPClientChoice) async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve(tls12Only: true) { port in
            let url = "https://127.0.0.1:\(port)/"
            let status8 = try await Self.poll(url, ["ca-file: ca.pem"], in: directory, client: client)
            #expect(status8 == "up: 200 OK")
            let status9 = try await Self.poll(url, ["ca-file: ca.pem", "min-tls-version: \"1.3\""], in: directory, client: client)
            #expect(status9.hasPrefix("down: "))
        }
    }

    /// The lean client leaves the ML-KEM hybrid out unless asked (it costs a key per handshake); a server
    /// that accepts nothing else is reached only with `post-quantum-tls: true`.
    @Test func thePostQuantumKeyExchangeIsOfferedWhenAsked() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try await pki.serve(curves: [.x25519_MLKEM768]) { port in
            let url = "https://127.0.0.1:\(port)/"
            let classical = try await Self.poll(url, ["ca-file: ca.pem"], in: directory)
            #expect(classical.hasPrefix("down: TLS error"), "\(classical)")
            let hybrid = try await Self.poll(url, ["ca-file: ca.pem", "post-quantum-tls: true"], in: directory)
            #expect(hybrid == "up: 200 OK")
        }
    }

    @Test func badFilesAreOneMessageNamingTheFile() async throws {
        let pki = try TestPKI()
        let directory = try TemporaryDirectory()
        try pki.writeFiles(into: directory)
        try "hello\n".save(toFile: directory.file("not.pem"))
        let other = try pki.leaf([.dnsName("other.test")], client: true)
        try other.key.pemRepresentation.save(toFile: directory.file("other.key"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.file("other.key"))
        let cases: [([String], String)] = [
            (["ca-file: missing.pem"], "ca-file \(directory.file("missing.pem")): no such file"),
            (["ca-file: not.pem"], "ca-file \(directory.file("not.pem")): not a PEM file (expected -----BEGIN …-----)"),
            (
                ["client-cert: client.pem", "client-key: other.key"],
                "client-key \(directory.file("other.key")) does not match client-cert \(directory.file("client.pem"))"
            ),
            (["client-cert: client.pem", "client-key: ca.pem"], "client-key \(directory.file("ca.pem")): not a PEM private key"),
        ]
        for (fields, expected) in cases {
            let yaml = "urls:\n  - url: https://127.0.0.1:9/\n" + fields.map { "    \($0)\n" }.joined()
            let path = directory.file("bad-\(UUID().uuidString).yml")
            try yaml.save(toFile: path)
            let result = try await URLPollProcess.run(["--check-config", "-c", path])
            #expect(result.status == 64, "\(fields)")
            #expect(result.stderr == "Error: \(expected)\n", "\(fields)")
        }
    }

    @Test func keyMistakesInTheYAMLHaveTheirPlace() throws {
        for (yaml, expected) in [
            ("client-cert: c.pem", "urls[0].client-cert: client-cert and client-key go together (give both)"),
            ("min-tls-version: \"1.1\"", "urls[0].min-tls-version: \"1.1\" is not a TLS version urlpoll can require (1.2 or 1.3)"),
            ("server-name: \"\"", "urls[0].server-name: must not be empty"),
        ] {
            #expect(throws: InputError.self) {
                try ConfigLoader.parse("urls:\n  - url: https://e.example/\n    \(yaml)\n", file: "u.yml", environment: [:])
            }
            do {
                _ = try ConfigLoader.parse("urls:\n  - url: https://e.example/\n    \(yaml)\n", file: "u.yml", environment: [:])
            } catch {
                #expect(error.message.hasSuffix(expected), "\(error.message)")
                #expect(error.message.hasPrefix("u.yml:3:"), "\(error.message)")
            }
        }
    }

    @Test func aKeyOthersCanReadIsWarnedAbout() throws {
        let directory = try TemporaryDirectory()
        try TestPKI().writeFiles(into: directory)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.file("client.key"))
        let settings = TLSSettings(clientCertificate: directory.file("client.pem"), clientKey: directory.file("client.key"))
        #expect(TLSPreparation.keyWarnings(settings) == ["client-key \(directory.file("client.key")) can be read by others (mode 644); chmod 600 it"])
    }

    /// One context per distinct settings, however many URLs share them.
    @Test func urlsWithTheSameSettingsShareOnePreparedContext() throws {
        let directory = try TemporaryDirectory()
        try TestPKI().writeFiles(into: directory)
        let settings = TLSSettings(caFile: directory.file("ca.pem"))
        let a = CheckOptions(tls: settings)
        let b = CheckOptions(name: "b", tls: settings)
        let list = TargetList(
            [
                URLListEntry(url: "https://a.example/", origin: .argument(position: 1), options: a),
                URLListEntry(url: "https://b.example/", origin: .argument(position: 2), options: b),
                URLListEntry(url: "https://c.example/", origin: .argument(position: 3), options: a),
            ]
        )
        let prepared = try TLSPreparation.prepare(list).targets
        let contexts = prepared.options.map { $0.preparedTLS.map(ObjectIdentifier.init) }
        #expect(contexts[0] != nil && contexts[0] == contexts[1] && contexts[1] == contexts[2])
        #expect(prepared.options[0] === prepared.options[2], "options shared before stay shared")
    }
}

/// `reuse-connections: false`: a new connection (and handshake) for every poll, seen at the server.
/// Serialized: each test runs a whole urlpoll; at once they would load a 2-core machine enough to disturb
/// timing-sensitive suites.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct FreshConnectionTests {
    @Test(arguments: HTTPClientChoice.allCases, [false, true])
    func eachPollOpensItsOwnConnectionWhenAsked(client: HTTPClientChoice, reuse: Bool) async throws {
        try await RecordingTarget.with(tls: true) { target in
            let directory = try TemporaryDirectory()
            let path = directory.file("urlpoll.yml")
            try """
            interval: 50ms
            urls:
              - url: \(target.url("/fresh"))
                insecure-tls: true
                reuse-connections: \(reuse)

            """.save(toFile: path)
            var flags = Settings.Overrides()
            flags.quiet = true
            flags.database = Settings.Database.none
            let configuration = try RunConfiguration.load(.init(arguments: [], file: nil, config: path, flags: flags), environment: [:])
            let (stops, stop) = AsyncStream<Void>.makeStream()
            let options = URLPollApplication.Options(client: client, shutdownSignals: [], stopRequests: stops)
            let run = Task { try await URLPollApplication(configuration: configuration, options: options, logger: TLSSettingsTests.logger).run() }
            try await Eventually.wait("five polls") { target.log.requests.count >= 5 }
            stop.yield()
            _ = try await run.value
            let requests = target.log.requests
            #expect(requests.count >= 5)
            if reuse {
                #expect(target.log.connections <= 2, "\(target.log.connections) connections for \(requests.count) polls")
            } else {
                #expect(target.log.connections == requests.count)
                #expect(requests.allSatisfy { $0.header("connection") == "close" })
            }
        }
    }
}

/// A URL's TLS settings (its client certificate above all) go with it only to its own origin.
struct TLSRedirectTests {
    final class Prepared: PreparedTLS {
        let settings = TLSSettings(clientCertificate: "c.pem", clientKey: "c.key")
    }

    /// Redirects from the first URL to `location`, then answers 200; records each hop's TLS.
    final class RedirectingSession: ProbeSession {
        let location: String
        var seen: [(url: String, hasTLS: Bool)] = []
        init(location: String) { self.location = location }
        func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
            seen.append((request.url, request.tls != nil))
            return seen.count == 1 ? ProbeExchange(code: 302, reason: "Found", location: location) : ProbeExchange(code: 200, reason: "OK")
        }
        func close() {}
    }

    @Test(arguments: [("https://a.example/next", true), ("https://b.example/next", false), ("http://a.example/next", false)])
    func tlsSettingsFollowARedirectOnlyWithinTheOrigin(location: String, keeps: Bool) async {
        let options = CheckOptions(tls: Prepared().settings, preparedTLS: Prepared())
        let session = RedirectingSession(location: location)
        let request = ProbeRequest(url: "https://a.example/start", options: options, method: .get, timeout: .seconds(1))
        let result = await session.probe(request, deadline: .now() + .seconds(1))
        #expect(result.outcome == .response(code: 200, reason: "OK"))
        #expect(session.seen.map(\.hasTLS) == [true, keeps])
    }
}
