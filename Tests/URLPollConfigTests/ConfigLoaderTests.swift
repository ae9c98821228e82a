import Foundation
import Testing

@testable import URLPollChecks
@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// Decoding config files: every key, layering with defaults and flags, `${NAME}`, and one exact
/// `file:line:column` message for each kind of mistake. Pure: the text and environment are passed in.
struct ConfigLoaderTests {
    static let full = """
        pollers: 8
        interval: 30s
        status-interval: 5s
        error-backoff: 2s
        max-backoff: 1m
        timeout: 4s
        connect-timeout: 1s
        format: json
        listen: 127.0.0.1:9100
        history: 20
        defaults:
          timeout: 3s
          headers:
            User-Agent: urlpoll-test
            X-Team: ops
        urls:
          - http://plain.example/
          - url: https://api.example/health
            name: API
            interval: 10s
            method: get
            headers:
              Authorization: Bearer ${TOKEN}
              x-team: platform
            expect: [200, 204, "300-399"]
            max-latency: 800ms
            body-contains: '"status":"ok"'
            body-matches: 'version":"\\d+'
            follow-redirects: false
            insecure-tls: true
            cert-expiry-warning: 14d
            max-body-size: 64KiB
        """

    func parse(_ text: String, environment: [String: String] = [:]) throws(InputError) -> ConfigFile {
        try ConfigLoader.parse(text, file: "urlpoll.yml", environment: environment)
    }

    @Test func decodesEveryKey() throws {
        let file = try parse(Self.full, environment: ["TOKEN": "t0k3n"])
        #expect(file.overrides.pollers == 8 && file.overrides.interval == .seconds(30) && file.overrides.statusInterval == .seconds(5))
        #expect(file.overrides.errorBackoff == .seconds(2) && file.overrides.maxBackoff == .seconds(60))
        #expect(file.overrides.timeout == .seconds(4) && file.overrides.connectTimeout == .seconds(1) && file.overrides.format == .json)
        #expect(file.listen == ListenAddress(host: "127.0.0.1", port: 9100) && file.overrides.history == 20)
        #expect(file.urls.map(\.url) == ["http://plain.example/", "https://api.example/health"])
        #expect((file.urls[1].line, file.urls[1].column) == (18, 5))

        let settings = Settings().merging(file.overrides)
        let entries = file.targets(settings: settings, file: "urlpoll.yml")
        // A plain URL has no options of its own: it gets the shared ones resolved from `defaults:`.
        #expect(entries[0].options == nil)
        let plain = TargetList(entries, defaults: file.defaults.resolved(with: settings)).options[0]
        #expect(plain.timeout == .seconds(3) && plain.interval == .seconds(30) && plain.method == .head && plain.name == nil)
        #expect(plain.headers.map(\.name) == ["User-Agent", "X-Team"])
        let api = try #require(entries[1].options)
        #expect(api.name == "API" && api.interval == .seconds(10) && api.timeout == .seconds(3) && api.connectTimeout == .seconds(1))
        #expect(api.method == .get && api.initialMethod == .get && api.followRedirects == false && api.insecureTLS)
        #expect(
            api.headers.map { "\($0.name)=\($0.value.revealed)" } == ["User-Agent=urlpoll-test", "Authorization=Bearer t0k3n", "x-team=platform"]
        )
        #expect(api.expect.description == "200, 204, 300-399" && api.maxLatency == .milliseconds(800))
        #expect(api.bodyContains == #""status":"ok""# && api.bodyMatches?.source == #"version":"\d+"#)
        #expect(api.certExpiryWarning == .seconds(14 * 86_400) && api.maxBodyBytes == 65_536)
        #expect(entries[1].origin.description == "urlpoll.yml:18:5")
    }

    /// `quorum:` in `defaults:` applies to every URL; a URL's own replaces it.
    @Test func quorumIsLayeredLikeTheOtherChecks() throws {
        let file = try parse("defaults:\n  quorum: 2\nurls:\n  - http://a/\n  - url: http://b/\n    quorum: 1\n")
        let settings = Settings().merging(file.overrides)
        let targets = TargetList(file.targets(settings: settings, file: "urlpoll.yml"), defaults: file.defaults.resolved(with: settings))
        #expect(targets.options.map(\.quorum) == [2, 1])
        #expect(try parse("urls: [http://a/]\n").defaults.resolved(with: settings).quorum == nil)
    }

    @Test func decodesTheHistoryKeys() throws {
        let file = try parse("database: /var/lib/u.sqlite\nretention:\n  results: 2d\n  results-per-url: 500\n  aggregates: 90d\nurls: [http://a/]\n")
        let settings = Settings().merging(file.overrides)
        #expect(settings.database == .sqlite(path: "/var/lib/u.sqlite"))
        let postgres = Settings().merging(try parse("database: postgres://mon:pw@db:6432/urlpoll\nurls: [http://a/]\n").overrides).database
        #expect(postgres == .postgres(try PostgresLocation(parsing: "postgres://mon:pw@db:6432/urlpoll")))
        #expect(settings.retention == RetentionPolicy(resultAge: .seconds(2 * 86_400), resultsPerURL: 500, aggregateAge: .seconds(90 * 86_400)))
        #expect(Settings().merging(try parse("database: none\nurls: [http://a/]\n").overrides).database == Settings.Database.none)
        #expect(Settings().database == .sqlite(path: "urlpoll.sqlite") && Settings().retention == RetentionPolicy())
    }

    @Test func flagsOverrideTheFilesTopLevelButNotItsDefaultsOrURLs() throws {
        let text = "timeout: 4s\ninterval: 30s\ndefaults:\n  interval: 20s\nurls:\n  - http://a/\n  - {url: http://b/, timeout: 2s}\n"
        let file = try parse(text)
        var flags = Settings.Overrides()
        flags.timeout = .seconds(7)
        flags.interval = .seconds(5)
        let settings = Settings().merging(file.overrides).merging(flags)
        let options = TargetList(file.targets(settings: settings, file: "f"), defaults: file.defaults.resolved(with: settings)).options
        #expect(options.map(\.timeout) == [.seconds(7), .seconds(2)])
        #expect(options.map(\.interval) == [.seconds(20), .seconds(20)])
    }

    @Test func layersAURLsFieldsOverTheDefaults() throws {
        var defaults = CheckFields()
        defaults.timeout = .seconds(3)
        defaults.headers = [HeaderField(name: "Authorization", value: "a"), HeaderField(name: "X-A", value: "1")]
        defaults.expect = StatusExpectation(ranges: [200...200])
        var own = CheckFields()
        own.name = "mine"
        own.headers = [HeaderField(name: "authorization", value: "b")]
        let merged = own.merged(over: defaults)
        #expect(merged.timeout == .seconds(3) && merged.name == "mine" && merged.expect == defaults.expect)
        #expect(merged.headers == [HeaderField(name: "X-A", value: "1"), HeaderField(name: "authorization", value: "b")])
        let options = merged.resolved(with: Settings())
        #expect(options.interval == .seconds(60) && options.followRedirects && !options.insecureTLS && options.maxBodyBytes == 1 << 20)
    }

    static let mistakes: [(String, String)] = [
        ("pollers: 8\ntimout: 5s\nurls: [http://a/]\n", #"urlpoll.yml:2:1: unknown key "timout" (did you mean "timeout"?)"#),
        (
            "urls:\n  - url: http://a/\n    bodycontains: x\n",
            #"urlpoll.yml:3:5: unknown key "bodycontains" in urls[0] (did you mean "body-contains"?)"#
        ),
        ("defaults:\n  name: x\nurls: [http://a/]\n", #"urlpoll.yml:2:3: unknown key "name" in defaults"#),
        ("urls:\n  - url: http://a/\n    colour: red\n", #"urlpoll.yml:3:5: unknown key "colour" in urls[0]"#),
        ("pollers: many\nurls: [http://a/]\n", #"urlpoll.yml:1:10: pollers: expected a whole number, got "many""#),
        ("pollers: 0\nurls: [http://a/]\n", "urlpoll.yml:1:10: pollers: must be from 1 to 100000 (got 0)"),
        ("urls:\n  - url: http://a/\n    timeout: 5\n", #"urlpoll.yml:3:14: urls[0].timeout: "5" has no unit (write e.g. 5s or 5ms)"#),
        ("interval: [1, 2]\nurls: [http://a/]\n", "urlpoll.yml:1:11: interval: expected a single value, found a list"),
        ("urls:\n  - url: http://a/\n    timeout: 0s\n", "urlpoll.yml:3:14: urls[0].timeout: must be longer than 0s"),
        (
            "urls:\n  - http://ok/\n  - ftp://a/\n",
            #"urlpoll.yml:3:5: urls[1]: invalid URL "ftp://a/": unsupported scheme "ftp" (urlpoll polls http, https, tcp, tls, dns, dns+tcp)"#
        ),
        (
            "urls:\n  - url: tcp://127.0.0.1:6379\n    body-contains: x\n",
            "urlpoll.yml:3:5: urls[0].body-contains: does not apply to tcp:// URLs (an http setting)"
        ),
        ("urls:\n  - url: http://a/\n    send: x\n", "urlpoll.yml:3:5: urls[0].send: applies to tcp:// and tls:// URLs only, not to http://"),
        ("urls:\n  - url: tcp://db\n", #"urlpoll.yml:2:10: urls[0]: invalid URL "tcp://db": missing port (write tcp://host:port)"#),
        ("urls:\n  - tcp://db:70000\n", #"urlpoll.yml:2:5: urls[0]: invalid URL "tcp://db:70000": port 70000 is out of range (1-65535)"#),
        (
            "urls:\n  - url: tcp://db:1/x?y\n",
            #"urlpoll.yml:2:10: urls[0]: invalid URL "tcp://db:1/x?y": a tcp URL is only tcp://host:port (no path, query or fragment)"#
        ),
        ("urls:\n  - url: tcp://db:1\n    expect: 'a('\n", "urlpoll.yml:3:13: urls[0].expect: invalid regular expression /a(/"),
        (
            "urls:\n  - url: tcp://db:1\n    send: 'PING\\q'\n",
            #"urlpoll.yml:3:11: urls[0].send: unknown escape \q (use \r, \n, \t, \0, \\ or \xHH)"#
        ),
        ("urls:\n  - url: tcp://db:1\n    send: 'a\\x4'\n", #"urlpoll.yml:3:11: urls[0].send: \x needs two hex digits"#),
        (
            "urls:\n  - url: tcp://db:1\n    ca-file: ca.pem\n",
            "urlpoll.yml:3:5: urls[0].ca-file: applies to TLS connections only (write tls:// or tls: true)"
        ),
        (
            "urls:\n  - url: tls://db:1\n    tls: false\n",
            "urlpoll.yml:3:10: urls[0].tls: a tls:// URL always makes a TLS handshake (write tcp:// for none)"
        ),
        ("urls:\n  - url: tls://db:1\n    method: GET\n", "urlpoll.yml:3:5: urls[0].method: does not apply to tls:// URLs (an http setting)"),
        ("urls:\n  - dns://127.0.0.1/\n", #"urlpoll.yml:2:5: urls[0]: invalid URL "dns://127.0.0.1/": no name to ask for (write dns://server/name)"#),
        (
            "urls:\n  - dns://127.0.0.1/a.test?type=XX\n",
            #"urlpoll.yml:2:5: urls[0]: invalid URL "dns://127.0.0.1/a.test?type=XX": unknown type "XX" (A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV, CAA)"#
        ),
        (
            "urls:\n  - dns://ns.example/a.test\n",
            #"urlpoll.yml:2:5: urls[0]: invalid URL "dns://ns.example/a.test": the server must be an IP address (dns://192.0.2.53/name), not "ns.example""#
        ),
        (
            "urls:\n  - url: dns://127.0.0.1/a.test\n    rcode: BOGUS\n",
            #"urlpoll.yml:3:12: urls[0].rcode: "BOGUS" is not a response code (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …)"#
        ),
        (
            "urls:\n  - url: dns://127.0.0.1/a.test\n    answer-matches: 'a('\n",
            "urlpoll.yml:3:21: urls[0].answer-matches: invalid regular expression /a(/"
        ),
        (
            "urls:\n  - url: dns://127.0.0.1/a.test\n    body-contains: x\n",
            "urlpoll.yml:3:5: urls[0].body-contains: does not apply to dns:// URLs (an http setting)"
        ),
        (
            "urls:\n  - url: tcp://mx:25\n    starttls: imap\n",
            #"urlpoll.yml:3:15: urls[0].starttls: "imap" is not a protocol urlpoll upgrades (smtp)"#
        ),
        (
            "urls:\n  - url: tls://mx:465\n    starttls: smtp\n",
            "urlpoll.yml:3:15: urls[0].starttls: a tls:// URL starts with TLS; write tcp:// for STARTTLS"
        ),
        ("urls:\n  - url: nohost\n", #"urlpoll.yml:2:10: urls[0]: invalid URL "nohost": missing scheme (write http://, https:// or tcp://)"#),
        ("urls:\n  - url: http://a/\n    body-matches: 'a('\n", "urlpoll.yml:3:19: urls[0].body-matches: invalid regular expression /a(/"),
        (
            "urls:\n  - url: http://a/\n    expect: [200, \"399-300\"]\n",
            #"urlpoll.yml:3:19: urls[0].expect[1]: invalid status range "399-300": the first code is larger than the second"#
        ),
        (
            "urls:\n  - url: http://a/\n    expect: 700\n",
            #"urlpoll.yml:3:13: urls[0].expect: invalid status "700": status codes are from 100 to 599"#
        ),
        (
            "urls:\n  - url: http://a/\n    method: DELETE\n",
            #"urlpoll.yml:3:13: urls[0].method: "DELETE" is not a method urlpoll polls with (HEAD, GET, POST, PUT, PATCH or OPTIONS)"#
        ),
        (
            "urls:\n  - url: http://a/\n    follow-redirects: maybe\n",
            #"urlpoll.yml:3:23: urls[0].follow-redirects: expected true or false, got "maybe""#
        ),
        (
            "urls:\n  - url: http://a/\n    max-body-size: lots\n",
            #"urlpoll.yml:3:20: urls[0].max-body-size: "lots" is not a size (write e.g. 65536, 64KiB or 1MiB)"#
        ),
        (
            "urls:\n  - url: http://a/\n    quorum: 0\n",
            #"urlpoll.yml:3:13: urls[0].quorum: must be from 1 to 64 (got 0)"#
        ),
        (
            "defaults:\n  quorum: two\nurls: [http://a/]\n",
            #"urlpoll.yml:2:11: defaults.quorum: expected a whole number, got "two""#
        ),
        ("format: xml\nurls: [http://a/]\n", #"urlpoll.yml:1:9: format: "xml" is not a format (text or json)"#),
        (
            "listen: nowhere:port\nurls: [http://a/]\n",
            #"urlpoll.yml:1:9: listen: "nowhere:port" has no valid port (write PORT or HOST:PORT, port 0-65535)"#
        ),
        ("urls:\n  - name: lost\n", "urlpoll.yml:2:5: urls[0]: every entry needs a url"),
        ("urls: http://a/\n", "urlpoll.yml:1:7: urls: expected a list of URLs"),
        ("urls:\n  - url: http://a/\n    headers: [a]\n", "urlpoll.yml:3:14: urls[0].headers: expected a map of header names to values"),
        (
            "urls:\n  - url: http://a/\n    headers: {\"Bad Name\": x}\n",
            #"urlpoll.yml:3:15: urls[0].headers.Bad Name: "Bad Name" is not a valid header name"#
        ),
        (
            "urls:\n  - url: http://a/\n    sensitive-headers: [X-Key, \"Bad Name\"]\n",
            #"urlpoll.yml:3:32: urls[0].sensitive-headers[1]: "Bad Name" is not a valid header name"#
        ),
        (
            "urls:\n  - url: http://a/\n    sensitive-headers: {a: b}\n",
            "urlpoll.yml:3:24: urls[0].sensitive-headers: expected a single value, found a map"
        ),
        ("urls:\n  - url: http://a/\n   oops: [\n", "urlpoll.yml:3:4: invalid YAML: did not find expected '-' indicator"),
        ("urls:\n  - url: http://a/\n    url: http://b/\n", "urlpoll.yml:2:5: a key appears twice in one map: url"),
        (
            "database: mysql://u:hunter2@h/db\nurls: [http://a/]\n",
            #"urlpoll.yml:1:11: database: "mysql": not a database urlpoll knows (a SQLite file path, postgres://…, or none)"#
        ),
        ("retention:\n  raw: 1d\nurls: [http://a/]\n", #"urlpoll.yml:2:3: unknown key "raw" in retention"#),
        ("retention:\n  results-per-url: 0\nurls: [http://a/]\n", "urlpoll.yml:2:20: retention.results-per-url: must be from 1 to 10000000 (got 0)"),
        ("# nothing yet\n", "urlpoll.yml: the config file is empty (it needs at least a urls: list)"),
        ("- http://a/\n", "urlpoll.yml:1:1: the file must be a map of settings (key: value)"),
    ]

    @Test(arguments: mistakes)
    func eachMistakeGetsOneMessageWithItsPosition(text: String, message: String) {
        #expect(throws: InputError(message)) { try parse(text) }
    }

    /// A tcp entry reads its own `send:` and `expect:` (a regular expression there, a status for http) and
    /// the shared keys; `defaults:` HTTP settings leave it alone.
    @Test func aTCPEntryHasItsCheckAndTheSharedSettings() throws {
        let text = """
            defaults:
              expect: 204
              interval: 7s
            urls:
              - url: tcp://127.0.0.1:6379
                send: "PING\\r\\n"
                expect: '^\\+PONG'
                timeout: 2s
              - tcp://[::1]:5432
            """
        let file = try parse(text)
        let check = try #require(file.urls[0].check as? TCPCheck)
        #expect(check == TCPCheck(host: "127.0.0.1", port: 6379, send: Array("PING\r\n".utf8), expect: try BodyPattern(#"^\+PONG"#)))
        #expect(file.urls[0].fields.timeout == .seconds(2))
        #expect(file.urls[0].fields.expect == nil)
        let plain = try #require(file.urls[1].check as? TCPCheck)
        #expect(plain == TCPCheck(host: "::1", port: 5432))
        let targets = file.targets(settings: Settings(), file: "urlpoll.yml")
        #expect(targets.map { $0.options?.interval } == [.seconds(7), .seconds(7)])
        #expect(targets.allSatisfy { $0.options?.check != nil })
    }

    /// `--check-config` shows a tcp URL's kind where an http URL's method is, what counts as up, and what
    /// it sends; a URL given as an argument gets its check too.
    @Test func theListingShowsATCPChecksKindExpectationAndSend() throws {
        let file = try TemporaryFile("urls:\n  - url: tcp://127.0.0.1:6379\n    send: \"PING\\\\r\\\\n\"\n    expect: '^\\+PONG'\n")
        let sources = RunConfiguration.Sources(arguments: ["tcp://[::1]:5432"], file: nil, config: file.path, flags: .init())
        let configuration = try RunConfiguration.load(sources, environment: [:])
        let lines = ConfigDescription.render(configuration).split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines[2] == ["tcp://[::1]:5432", "-", "tcp", "1m", "10s", "connect", "-"])
        #expect(lines[3] == ["tcp://127.0.0.1:6379", "-", "tcp", "1m", "10s", #"/^\+PONG/"#, "sends", #""PING\r\n""#])
        #expect(configuration.targets.options.map { $0.check is TCPCheck } == [true, true])
    }

    /// A dns entry: the server, port, name and type from the URL, the expectations from its keys.
    @Test func aDNSEntryHasItsQueryAndExpectations() throws {
        let file = try parse(
            "urls:\n  - url: dns+tcp://[::1]:5353/Six.Test.?type=aaaa\n    answers-contain: ['2001:DB8:0::1', mx.test]\n"
                + "    min-answers: 2\n    rcode: noerror\n"
        )
        let check = try #require(file.urls[0].check as? DNSCheck)
        #expect(check.server == "::1" && check.port == 5353 && check.name == "Six.Test" && check.type == .aaaa && check.overTCP)
        #expect(check.expecting == DNSExpectation(code: .noError, minimumAnswers: 2, contains: ["2001:db8::1", "mx.test"]))
        #expect(check.kind == .dns)
    }

    /// Without a server, the first nameserver of resolv.conf is asked; without one, a clear message.
    @Test func aDNSURLWithoutAServerAsksTheSystemsResolver() throws {
        let conf = try TemporaryFile("# comment\nsearch example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n")
        let check = try DNSKind(resolvConf: conf.path).spec(for: URLComponents(string: "dns:///a.test")!, settings: NoCheckSettings())
        #expect((check as? DNSCheck)?.server == "192.0.2.53" && (check as? DNSCheck)?.port == 53)
        let empty = try TemporaryFile("search example\n")
        #expect(throws: CheckSettingIssue(key: "url", "no nameserver in \(empty.path): name the server (dns://192.0.2.53/a.test)")) {
            _ = try DNSKind(resolvConf: empty.path).spec(for: URLComponents(string: "dns:///a.test")!, settings: NoCheckSettings())
        }
    }

    /// The TLS keys apply to `tls://` URLs and to `tcp://` ones with `tls: true`.
    @Test func aTLSCheckTakesTheTLSKeys() throws {
        let file = try parse(
            "urls:\n  - url: tls://mail.test:465\n    server-name: mx.test\n    cert-expiry-warning: 14d\n"
                + "  - url: tcp://db.test:5432\n    tls: true\n    insecure-tls: true\n"
        )
        #expect(file.urls.map { ($0.check as? TCPCheck)?.tls } == [true, true])
        #expect(file.urls.map { $0.check?.kind } == [.tls, .tcp])
        #expect(file.urls[0].fields.tls.serverName == "mx.test")
        #expect(file.urls[0].fields.certExpiryWarning == .seconds(14 * 86_400))
        #expect(file.urls[1].fields.insecureTLS == true)
        let smtp = try parse("urls:\n  - url: tcp://mx.test:25\n    starttls: SMTP\n    ca-file: ca.pem\n    cert-expiry-warning: 14d\n")
        let check = try #require(smtp.urls[0].check as? TCPCheck)
        #expect(check.startTLS == .smtp && check.tls && check.kind == .tcp)
    }

    @Test func expandsEnvironmentVariablesAndRejectsUnsetOnes() throws {
        let text = "urls:\n  - url: http://${HOST}/x\n    headers:\n      X-Token: \"${TOKEN}\"\n      X-Literal: \"$${TOKEN}\"\n"
        let file = try parse(text, environment: ["HOST": "h.example", "TOKEN": "s3cret"])
        #expect(file.urls[0].url == "http://h.example/x")
        #expect(file.urls[0].fields.headers.map(\.value) == ["s3cret", "${TOKEN}"])
        #expect(throws: InputError("urlpoll.yml:4:16: urls[0].headers.X-Token: environment variable TOKEN is not set")) {
            try parse(text, environment: ["HOST": "h.example"])
        }
        #expect(throws: InputError(#"urlpoll.yml:2:10: urls[0].url: "${1X}" is not a valid variable reference (names are letters, digits and _)"#)) {
            try parse("urls:\n  - url: http://${1X}/\n")
        }
    }

    @Test func headerValuesNeverAppearInMessagesOrTheCheckConfigListing() throws {
        let bad = "urls:\n  - url: http://a/\n    headers:\n      Authorization: \"Bearer ${TOKEN}\"\n"
        do {
            _ = try parse(bad, environment: ["TOKEN": "s3cret\nInjected: 1"])
            Issue.record("a header value with a line break was accepted")
        } catch {
            #expect(error.message.contains("urls[0].headers.Authorization: the value holds a line break"))
            #expect(!error.message.contains("s3cret"))
        }
        let file = try parse(bad, environment: ["TOKEN": "s3cret"])
        let settings = Settings().merging(file.overrides)
        let configuration = RunConfiguration(settings: settings, targets: TargetList(file.targets(settings: settings, file: "f")))
        let listing = ConfigDescription.render(configuration)
        #expect(listing.contains("header Authorization: <redacted>"))
        #expect(!listing.contains("s3cret"))
        #expect("\(file.urls[0].fields.headers[0])" == "Authorization: <redacted>")
    }

    @Test func suggestsOnlyCloseKeys() {
        #expect(Suggestion.closest(to: "intreval", among: CheckFields.entryKeys) == "interval")
        #expect(Suggestion.closest(to: "Timeout", among: CheckFields.entryKeys) == "timeout")
        #expect(Suggestion.closest(to: "colour", among: CheckFields.entryKeys) == nil)
    }
}

/// The small parsers behind the config file's values.
struct ConfigValueTests {
    @Test func statusExpectations() throws {
        #expect(try StatusExpectation.parseElement("204") == 204...204)
        #expect(try StatusExpectation.parseElement("300-399") == 300...399)
        #expect(throws: InputError("invalid status \"2xx\": write a code such as 200 or a range such as 200-299")) {
            try StatusExpectation.parseElement("2xx")
        }
        let expectation = StatusExpectation(ranges: [200...200, 300...399])
        #expect(expectation.contains(301) && !expectation.contains(204) && expectation.description == "200, 300-399")
    }

    @Test func byteSizes() throws {
        #expect(try ByteSize.parse("65536") == 65_536)
        #expect(try ByteSize.parse("64KiB") == 65_536)
        #expect(try ByteSize.parse("1MiB") == 1 << 20)
        #expect(throws: InputError("\"2GiB\" is too large (at most 1GiB)")) { try ByteSize.parse("2GiB") }
        #expect(ByteSize.format(100_000) == "97.7KiB" && ByteSize.format(1 << 20) == "1MiB" && ByteSize.format(12) == "12B")
    }

    @Test func environmentExpansion() throws {
        #expect(try EnvironmentExpansion.expand("a${B}c$d", environment: ["B": "b"]) == "abc$d")
        #expect(try EnvironmentExpansion.expand("$${B}", environment: [:]) == "${B}")
        #expect(throws: InputError("unclosed ${ in a value (write ${NAME}, or $${ for a literal ${)")) {
            try EnvironmentExpansion.expand("${B", environment: [:])
        }
    }
}
