import Foundation
import URLPollChecks
import URLPollCore
import Yams

/// The per-URL settings of a config file as written: every field optional, so that a URL's own settings,
/// the `defaults:` block and the global settings can be layered (``merged(over:)``) and then resolved
/// into ``CheckOptions`` (``resolved(with:)``). Pure.
package struct CheckFields: Sendable, Equatable {
    package var name: String?
    package var method: CheckMethod?
    /// Headers by name (case-insensitive when layered); values are secrets. A value taken from
    /// `${NAME}` is marked sensitive here already.
    package var headers: [HeaderField] = []
    /// `sensitive-headers:`: more header names (lowercased) that never follow a redirect to another origin.
    package var sensitiveHeaders: Set<String> = []
    /// `sensitive-query:`: more query parameter names (lowercased) whose values are never shown
    /// (``URLRedaction``).
    package var sensitiveQuery: Set<String> = []
    package var expect: StatusExpectation?
    package var maxLatency: Duration?
    package var bodyContains: String?
    package var bodyMatches: BodyPattern?
    package var followRedirects: Bool?
    package var insecureTLS: Bool?
    package var certExpiryWarning: Duration?
    package var interval: Duration?
    package var timeout: Duration?
    package var connectTimeout: Duration?
    package var maxBodyBytes: Int?
    package var reuseConnections: Bool?
    package var ipVersion: IPVersion?
    /// `body:` or `body-file:` (read when the file is loaded).
    package var requestBody: [UInt8]?
    /// `content-type:`.
    package var contentType: String?
    /// `json:` (one check or a list).
    package var jsonChecks: [JSONPathCheck]?
    /// From `basic-auth:` or `bearer-token-file:` (the token read from its file); a secret.
    package var authorization: HeaderField?
    package var recheckInterval: Duration?
    /// `quorum:`: how many locations must see the URL down.
    package var quorum: Int?
    /// `receivers:`, `failure-threshold:`, `success-threshold:`.
    package var alerting = URLAlerting()
    /// `ca-file:`, `ca-only:`, `client-cert:`, `client-key:`, `server-name:`, `min-tls-version:`, `post-quantum-tls:` (paths
    /// already resolved against the config file's folder), each layered on its own.
    package var tls = TLSFields()

    /// The TLS keys as written, each optional for layering.
    package struct TLSFields: Sendable, Equatable {
        package var caFile: String?
        package var caOnly: Bool?
        package var clientCertificate: String?
        package var clientKey: String?
        package var serverName: String?
        package var minimumVersion: TLSSettings.Version?
        package var postQuantum: Bool?

        /// The settings, or `nil` when none is set.
        var resolved: TLSSettings? {
            let settings = TLSSettings(
                caFile: caFile,
                caOnly: caOnly ?? false,
                clientCertificate: clientCertificate,
                clientKey: clientKey,
                serverName: serverName,
                minimumVersion: minimumVersion,
                postQuantum: postQuantum ?? false
            )
            return settings.isDefault ? nil : settings
        }
    }

    package init() {}

    /// The keys every kind of check reads (besides `url` and `name`).
    static let sharedKeys = [
        "interval", "timeout", "connect-timeout", "max-latency", "recheck-interval", "receivers", "failure-threshold",
        "success-threshold", "ip-version", "quorum", "sensitive-query",
    ]
    /// The keys only http and https URLs read; in `defaults:` they apply to those alone.
    static let httpKeys = [
        "method", "headers", "expect", "body-contains", "body-matches", "follow-redirects", "insecure-tls", "cert-expiry-warning",
        "max-body-size", "sensitive-headers", "ca-file", "ca-only", "client-cert", "client-key", "server-name", "min-tls-version",
        "post-quantum-tls", "reuse-connections", "body", "body-file", "content-type", "basic-auth", "bearer-token-file", "json",
    ]
    /// The http keys that also apply to other kinds when they make a TLS handshake (`tls://`).
    static let tlsKeys = [
        "insecure-tls", "cert-expiry-warning", "ca-file", "ca-only", "client-cert", "client-key", "server-name", "min-tls-version",
        "post-quantum-tls",
    ]
    /// The keys a `defaults:` block may hold.
    static let defaultKeys = sharedKeys + httpKeys
    /// The keys a `urls:` entry may hold: the HTTP keys, and every check kind's own.
    static let entryKeys = ["url", "name"] + defaultKeys + CheckKinds.all.flatMap(\.keys).filter { !defaultKeys.contains($0) }

    /// These fields, with every field they leave unset taken from `base`; headers are combined, these
    /// replacing `base`'s of the same name.
    package func merged(over base: CheckFields) -> CheckFields {
        var merged = self
        merged.name = name ?? base.name
        merged.method = method ?? base.method
        let own = Set(headers.map { $0.name.lowercased() })
        merged.headers = base.headers.filter { !own.contains($0.name.lowercased()) } + headers
        merged.sensitiveHeaders = base.sensitiveHeaders.union(sensitiveHeaders)
        merged.sensitiveQuery = base.sensitiveQuery.union(sensitiveQuery)
        merged.expect = expect ?? base.expect
        merged.maxLatency = maxLatency ?? base.maxLatency
        merged.bodyContains = bodyContains ?? base.bodyContains
        merged.bodyMatches = bodyMatches ?? base.bodyMatches
        merged.followRedirects = followRedirects ?? base.followRedirects
        merged.insecureTLS = insecureTLS ?? base.insecureTLS
        merged.certExpiryWarning = certExpiryWarning ?? base.certExpiryWarning
        merged.interval = interval ?? base.interval
        merged.timeout = timeout ?? base.timeout
        merged.connectTimeout = connectTimeout ?? base.connectTimeout
        merged.maxBodyBytes = maxBodyBytes ?? base.maxBodyBytes
        merged.reuseConnections = reuseConnections ?? base.reuseConnections
        merged.ipVersion = ipVersion ?? base.ipVersion
        merged.requestBody = requestBody ?? base.requestBody
        merged.contentType = contentType ?? base.contentType
        merged.jsonChecks = jsonChecks ?? base.jsonChecks
        merged.authorization = authorization ?? base.authorization
        merged.recheckInterval = recheckInterval ?? base.recheckInterval
        merged.quorum = quorum ?? base.quorum
        merged.alerting.receivers = alerting.receivers ?? base.alerting.receivers
        merged.alerting.failureThreshold = alerting.failureThreshold ?? base.alerting.failureThreshold
        merged.alerting.successThreshold = alerting.successThreshold ?? base.alerting.successThreshold
        merged.tls.caFile = tls.caFile ?? base.tls.caFile
        merged.tls.caOnly = tls.caOnly ?? base.tls.caOnly
        merged.tls.clientCertificate = tls.clientCertificate ?? base.tls.clientCertificate
        merged.tls.clientKey = tls.clientKey ?? base.tls.clientKey
        merged.tls.serverName = tls.serverName ?? base.tls.serverName
        merged.tls.minimumVersion = tls.minimumVersion ?? base.tls.minimumVersion
        merged.tls.postQuantum = tls.postQuantum ?? base.tls.postQuantum
        return merged
    }

    /// The options these fields describe, with `settings` (the global interval, timeout and connect
    /// timeout) and the documented defaults filling in what is unset.
    package func resolved(with settings: Settings) -> CheckOptions {
        CheckOptions(
            name: name,
            method: method ?? (requestBody == nil ? .head : .post),
            headers: resolvedHeaders,
            expect: expect ?? .standard,
            maxLatency: maxLatency,
            bodyContains: bodyContains,
            bodyMatches: bodyMatches,
            followRedirects: followRedirects ?? true,
            insecureTLS: insecureTLS ?? false,
            certExpiryWarning: certExpiryWarning,
            interval: interval ?? settings.interval,
            timeout: timeout ?? settings.timeout,
            connectTimeout: connectTimeout ?? settings.connectTimeout,
            maxBodyBytes: maxBodyBytes ?? CheckOptions.defaultMaxBodyBytes,
            alerting: alerting,
            confirmation: settings.alertFailureThreshold.map { smallest in
                Confirmation(failures: alerting.failureThreshold ?? smallest, recheck: recheckInterval ?? settings.recheckInterval)
            },
            tls: tls.resolved,
            reuseConnections: reuseConnections ?? true,
            requestBody: requestBody,
            jsonChecks: jsonChecks ?? [],
            ipVersion: ipVersion ?? .any,
            quorum: quorum,
            redaction: URLRedaction(adding: sensitiveQuery)
        )
    }

    /// The configured headers, then `Authorization` (from `basic-auth:` or `bearer-token-file:`) and
    /// `Content-Type` (from `content-type:`) unless `headers:` sets them.
    private var resolvedHeaders: [HeaderField] {
        var fields = headers.map { header in
            sensitiveHeaders.contains(header.name.lowercased()) ? header.sensitive : header
        }
        if let authorization, !fields.contains(where: { $0.name.lowercased() == "authorization" }) { fields.append(authorization) }
        if let contentType, !fields.contains(where: { $0.name.lowercased() == "content-type" }) {
            fields.append(HeaderField(name: "Content-Type", value: contentType))
        }
        return fields
    }

    /// Reads the fields of one map (a `defaults:` block or a `urls:` entry); `receivers` are the names of
    /// the configured alert receivers, which `receivers:` may list.
    init(_ map: ConfigMap, receivers: [String] = []) throws(ConfigIssue) {
        name = try map.string("name")
        if name?.isEmpty == true { throw ConfigIssue(message: "\(map.name("name")): must not be empty", mark: map.decoder("name")?.mark) }
        method = try map.parsed("method") { text throws(InputError) in
            guard let method = CheckMethod(rawValue: text.uppercased()) else {
                throw InputError("\(Excerpt.quoted(text)) is not a method urlpoll polls with (HEAD, GET, POST, PUT, PATCH or OPTIONS)")
            }
            return method
        }
        headers = try Self.headers(map)
        sensitiveHeaders = try Self.names(map, "sensitive-headers") { name in
            Self.isToken(name) ? nil : "\(Excerpt.quoted(name)) is not a valid header name"
        }
        sensitiveQuery = try Self.names(map, "sensitive-query") { name in
            name.isEmpty || name.contains(where: { "&=#?".contains($0) || $0.isWhitespace })
                ? "\(Excerpt.quoted(name)) is not a query parameter name" : nil
        }
        expect = try Self.expectation(map)
        maxLatency = try map.duration("max-latency")
        bodyContains = try map.string("body-contains")
        if bodyContains?.isEmpty == true {
            throw ConfigIssue(message: "\(map.name("body-contains")): must not be empty", mark: map.decoder("body-contains")?.mark)
        }
        bodyMatches = try map.parsed("body-matches") { text throws(InputError) in try BodyPattern(text) }
        followRedirects = try map.bool("follow-redirects")
        insecureTLS = try map.bool("insecure-tls")
        certExpiryWarning = try map.duration("cert-expiry-warning")
        interval = try map.duration("interval", positive: false)
        timeout = try map.duration("timeout")
        connectTimeout = try map.duration("connect-timeout")
        maxBodyBytes = try map.parsed("max-body-size") { text throws(InputError) in
            let bytes = try ByteSize.parse(text)
            guard bytes > 0 else { throw InputError("must be at least 1 byte") }
            return bytes
        }
        recheckInterval = try map.duration("recheck-interval")
        quorum = try map.int("quorum", in: CheckOptions.quorumRange)
        alerting.failureThreshold = try map.int("failure-threshold", in: AlertRule.thresholdRange)
        alerting.successThreshold = try map.int("success-threshold", in: AlertRule.thresholdRange)
        tls = try Self.tlsFields(map)
        reuseConnections = try map.bool("reuse-connections")
        ipVersion = try map.parsed("ip-version") { text throws(InputError) in
            guard let version = IPVersion(rawValue: text.lowercased()) else {
                throw InputError("\(Excerpt.quoted(text)) is not an IP version (4, 6 or any)")
            }
            return version
        }
        try readRequest(map)
        jsonChecks = try Self.jsonChecks(map)
        alerting.receivers = try map.list("receivers").map { names throws(ConfigIssue) in
            for (name, decoder) in names where !receivers.contains(name) {
                var message = "\(map.name("receivers")): no receiver named \(Excerpt.quoted(name)) in alerts:"
                if let suggestion = Suggestion.closest(to: name, among: receivers) { message += " (did you mean \"\(suggestion)\"?)" }
                throw ConfigIssue(message: message, mark: decoder.mark)
            }
            return names.map(\.text)
        }
    }

    /// `json:`: `{path: "$.status", equals: "ok"}`, or a list of such maps (`equals` optional: the value
    /// must then only exist).
    private static func jsonChecks(_ map: ConfigMap) throws(ConfigIssue) -> [JSONPathCheck]? {
        guard let decoder = map.decoder("json") else { return nil }
        var elements: [(decoder: any Decoder, name: String)] = []
        if var list = try? decoder.unkeyedContainer() {
            while !list.isAtEnd, let element = try? list.superDecoder() {
                elements.append((element, "\(map.name("json"))[\(elements.count)]"))
            }
        } else {
            elements = [(decoder, map.name("json"))]
        }
        var checks: [JSONPathCheck] = []
        for (element, name) in elements {
            let check = try ConfigMap(element, path: name, allowed: ["path", "equals"])
            guard let path = try check.string("path") else { throw ConfigIssue(message: "\(name): needs a path", mark: element.mark) }
            let expected = try check.string("equals")
            do {
                checks.append(try JSONPathCheck(path: path, equals: expected))
            } catch {
                throw ConfigIssue(message: "\(check.name("path")): \(error.message)", mark: check.decoder("path")?.mark)
            }
        }
        return checks
    }

    /// `body:`/`body-file:`, `content-type:`, `basic-auth:` and `bearer-token-file:`.
    private mutating func readRequest(_ map: ConfigMap) throws(ConfigIssue) {
        if map.decoder("body") != nil && map.decoder("body-file") != nil {
            throw ConfigIssue(message: "\(map.name("body-file")): give body or body-file, not both", mark: map.decoder("body-file")?.mark)
        }
        if let text = try map.string("body") { requestBody = Array(text.utf8) }
        if let path = try map.path("body-file") {
            requestBody = try Self.file(path, key: map.name("body-file"), mark: map.decoder("body-file")?.mark, limit: 1 << 20)
        }
        if requestBody != nil, let method, method == .head || method == .get {
            throw ConfigIssue(
                message: "\(map.name("method")): a request body needs POST, PUT, PATCH or OPTIONS (got \(method.rawValue))",
                mark: map.decoder("method")?.mark
            )
        }
        contentType = try map.string("content-type")
        if let value = contentType, value.isEmpty || value.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw ConfigIssue(message: "\(map.name("content-type")): not a media type", mark: map.decoder("content-type")?.mark)
        }
        let basic = map.decoder("basic-auth")
        let bearer = map.decoder("bearer-token-file")
        if basic != nil && bearer != nil {
            throw ConfigIssue(message: "\(map.name("bearer-token-file")): give basic-auth or bearer-token-file, not both", mark: bearer?.mark)
        }
        if basic != nil || bearer != nil, headers.contains(where: { $0.name.lowercased() == "authorization" }) {
            throw ConfigIssue(
                message: "\(map.name("headers")): an Authorization header and \(basic != nil ? "basic-auth" : "bearer-token-file") clash; give one",
                mark: map.decoder("headers")?.mark
            )
        }
        if let basic {
            let credentials = try ConfigMap(basic, path: map.name("basic-auth"), allowed: ["username", "password"])
            guard let username = try credentials.string("username"), let password = try credentials.string("password", secret: true) else {
                throw ConfigIssue(message: "\(map.name("basic-auth")): needs username and password", mark: basic.mark)
            }
            guard !username.contains(":") else {
                throw ConfigIssue(
                    message: "\(credentials.name("username")): a user name cannot hold a colon",
                    mark: credentials.decoder("username")?.mark
                )
            }
            authorization = HeaderField(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
        if let path = try map.path("bearer-token-file") {
            let bytes = try Self.file(path, key: map.name("bearer-token-file"), mark: bearer?.mark, limit: 64 * 1024)
            let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, !token.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw ConfigIssue(
                    message: "\(map.name("bearer-token-file")): \(path) holds no token on one line (value not shown)",
                    mark: bearer?.mark
                )
            }
            authorization = HeaderField(name: "Authorization", value: "Bearer " + token)
        }
    }

    /// The bytes of the file at `path` (at most `limit`), or one message naming it.
    private static func file(_ path: String, key: String, mark: Mark?, limit: Int) throws(ConfigIssue) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw ConfigIssue(message: "\(key): \(path): no such file", mark: mark) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigIssue(message: "\(key): \(path): cannot be read (permission denied?)", mark: mark)
        }
        guard data.count <= limit else {
            throw ConfigIssue(message: "\(key): \(path): larger than \(ByteSize.format(limit))", mark: mark)
        }
        return Array(data)
    }

    /// The TLS keys; relative paths are taken from the config file's folder.
    private static func tlsFields(_ map: ConfigMap) throws(ConfigIssue) -> TLSFields {
        var fields = TLSFields()
        fields.caFile = try map.path("ca-file")
        fields.caOnly = try map.bool("ca-only")
        fields.clientCertificate = try map.path("client-cert")
        fields.clientKey = try map.path("client-key")
        fields.serverName = try map.string("server-name")
        if fields.serverName?.isEmpty == true {
            throw ConfigIssue(message: "\(map.name("server-name")): must not be empty", mark: map.decoder("server-name")?.mark)
        }
        fields.minimumVersion = try map.parsed("min-tls-version") { text throws(InputError) in
            guard let version = TLSSettings.Version(rawValue: text) else {
                throw InputError("\(Excerpt.quoted(text)) is not a TLS version urlpoll can require (1.2 or 1.3)")
            }
            return version
        }
        fields.postQuantum = try map.bool("post-quantum-tls")
        if (fields.clientCertificate == nil) != (fields.clientKey == nil) {
            let given = fields.clientCertificate == nil ? "client-key" : "client-cert"
            throw ConfigIssue(
                message: "\(map.name(given)): client-cert and client-key go together (give both)",
                mark: map.decoder(given)?.mark
            )
        }
        return fields
    }

    /// `headers:`: a map of header names to values. Names must be HTTP tokens; values may not hold line
    /// breaks. A value is never quoted in a message.
    static func headers(_ map: ConfigMap) throws(ConfigIssue) -> [HeaderField] {
        guard let (headerMap, names) = try map.openMap("headers", of: "header names") else { return [] }
        var fields: [HeaderField] = []
        for name in names {
            guard isToken(name) else {
                throw ConfigIssue(
                    message: "\(headerMap.name(name)): \(Excerpt.quoted(name)) is not a valid header name",
                    mark: headerMap.keyMark(name)
                )
            }
            guard let (value, fromEnvironment) = try headerMap.stringNotingVariables(name, secret: true) else { continue }
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw ConfigIssue(
                    message: "\(headerMap.name(name)): the value holds a line break or NUL, which a header cannot carry (value not shown)",
                    mark: headerMap.decoder(name)?.mark
                )
            }
            fields.append(HeaderField(name: name, value: value, isSensitive: fromEnvironment))
        }
        return fields
    }

    /// `sensitive-headers:` or `sensitive-query:`: a list of names (or one name), lowercased; `problem`
    /// says what is wrong with a name, or `nil`.
    private static func names(_ map: ConfigMap, _ key: String, problem: (String) -> String?) throws(ConfigIssue) -> Set<String> {
        guard let decoder = map.decoder(key) else { return [] }
        var elements: [(decoder: any Decoder, name: String)] = []
        if var list = try? decoder.unkeyedContainer() {
            while !list.isAtEnd, let element = try? list.superDecoder() {
                elements.append((element, "\(map.name(key))[\(elements.count)]"))
            }
        } else {
            elements = [(decoder, map.name(key))]
        }
        var names: Set<String> = []
        for (element, path) in elements {
            let name = try ConfigMap.text(of: element, name: path, context: map.context)
            if let problem = problem(name) { throw ConfigIssue(message: "\(path): \(problem)", mark: element.mark) }
            names.insert(name.lowercased())
        }
        return names
    }

    private static let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// Whether `name` is an HTTP token (what a header name must be).
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { tokenCharacters.contains($0) }
    }

    /// `expect:`: one status or range, or a list of them (`[200, 204, "300-399"]`).
    private static func expectation(_ map: ConfigMap) throws(ConfigIssue) -> StatusExpectation? {
        guard let decoder = map.decoder("expect") else { return nil }
        var elements: [(decoder: any Decoder, name: String)] = []
        if var list = try? decoder.unkeyedContainer() {
            var index = 0
            while !list.isAtEnd, let element = try? list.superDecoder() {
                elements.append((element, "\(map.name("expect"))[\(index)]"))
                index += 1
            }
            if elements.isEmpty { throw ConfigIssue(message: "\(map.name("expect")): the list is empty", mark: decoder.mark) }
        } else {
            elements = [(decoder, map.name("expect"))]
        }
        var ranges: [ClosedRange<Int>] = []
        for (element, name) in elements {
            let text = try ConfigMap.text(of: element, name: name, context: map.context)
            do {
                ranges.append(try StatusExpectation.parseElement(text))
            } catch {
                throw ConfigIssue(message: "\(name): \(error.message)", mark: element.mark)
            }
        }
        return StatusExpectation(ranges: ranges)
    }
}
