/// How one URL is checked: what to send, how long to wait, and what counts as up.
///
/// Immutable and shared: every URL given without settings of its own (on the command line, in a URL
/// list, or as a plain string in a config file) points to one instance built from the global settings;
/// a config-file entry with settings has its own. A ``Resource`` carries a reference to its options, so
/// a poller needs nothing else to poll it. The config loader resolves every value; ``interval``,
/// ``timeout`` and ``connectTimeout`` may be `nil` only in options built by hand, and then the
/// scheduler's and poller's global settings apply.
public final class CheckOptions: Sendable {
    /// Shown in reports next to the URL; `nil` when the user gave none.
    public let name: String?
    /// The method to poll with. HEAD falls back to GET for servers that answer 405 or 501.
    public let method: CheckMethod
    /// Extra request headers; their values are secrets (see ``HeaderField``).
    public let headers: [HeaderField]
    /// Status codes that count as up.
    public let expect: StatusExpectation
    /// A poll slower than this is down.
    public let maxLatency: Duration?
    /// Text the body must contain.
    public let bodyContains: String?
    /// An expression the body must match.
    public let bodyMatches: BodyPattern?
    /// Whether 3xx answers are followed (at most 10 times) or reported as they are.
    public let followRedirects: Bool
    /// Whether https certificates are accepted without verification.
    public let insecureTLS: Bool
    /// An https URL whose certificate expires within this period is down.
    public let certExpiryWarning: Duration?
    /// Pause between the end of a poll and the next one, when the URL is up.
    public let interval: Duration?
    /// Bounds a whole poll: connects, TLS, redirects, the HEAD→GET retry, the body.
    public let timeout: Duration?
    /// Bounds connecting (TCP and TLS handshake) to one host; never more than the timeout (default 5s).
    public let connectTimeout: Duration?
    /// The most body bytes read for the body conditions; a longer body is judged by its start.
    public let maxBodyBytes: Int
    /// The URL's own alert settings (which receivers, which thresholds).
    public let alerting: URLAlerting
    /// The quick recheck of an unconfirmed outage; `nil` when no alert receiver is configured.
    public let confirmation: Confirmation?
    /// Values the JSON body must hold (`json:`).
    public let jsonChecks: [JSONPathCheck]
    /// The request body (`body:` or `body-file:`), sent with its `Content-Type` header; `nil` sends none.
    public let requestBody: [UInt8]?
    /// Whether polls may reuse kept-alive connections; `false` checks DNS, connect and TLS on every poll.
    public let reuseConnections: Bool
    /// Which of the host's addresses polls may connect to.
    public let ipVersion: IPVersion
    /// TLS beyond the defaults (a private CA, a client certificate, a server name, a minimum version).
    public let tls: TLSSettings?
    /// `quorum: N`: the URL is polled from every location (each instance's `--location`) each interval and
    /// is down only when at least `N` locations see it down (``QuorumVerdict``); `nil` polls it from one
    /// location at a time, wherever its claim goes.
    public let quorum: Int?
    /// ``tls`` made ready by the probe layer (see ``preparing(_:)``); `nil` until then.
    public let preparedTLS: (any PreparedTLS)?
    /// How the URL is shown (`sensitive-query:` adds to the parameter names whose values are hidden).
    public let redaction: URLRedaction
    /// The check of a non-HTTP URL (`tcp://…`), which a poll runs instead of an HTTP request; `nil` for
    /// http and https URLs. Such a URL has options of its own (the check names its host and port).
    public let check: (any CheckSpec)?

    /// The quorums a URL may ask for.
    public static let quorumRange = 1...64

    /// The documented defaults (1 MiB of body at most).
    public static let defaultMaxBodyBytes = 1 << 20

    public init(
        name: String? = nil,
        method: CheckMethod = .head,
        headers: [HeaderField] = [],
        expect: StatusExpectation = .standard,
        maxLatency: Duration? = nil,
        bodyContains: String? = nil,
        bodyMatches: BodyPattern? = nil,
        followRedirects: Bool = true,
        insecureTLS: Bool = false,
        certExpiryWarning: Duration? = nil,
        interval: Duration? = nil,
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil,
        maxBodyBytes: Int = CheckOptions.defaultMaxBodyBytes,
        alerting: URLAlerting = URLAlerting(),
        confirmation: Confirmation? = nil,
        tls: TLSSettings? = nil,
        preparedTLS: (any PreparedTLS)? = nil,
        reuseConnections: Bool = true,
        requestBody: [UInt8]? = nil,
        jsonChecks: [JSONPathCheck] = [],
        ipVersion: IPVersion = .any,
        quorum: Int? = nil,
        redaction: URLRedaction = .standard,
        check: (any CheckSpec)? = nil
    ) {
        self.check = check
        self.redaction = redaction
        self.quorum = quorum
        self.ipVersion = ipVersion
        self.jsonChecks = jsonChecks
        self.reuseConnections = reuseConnections
        self.requestBody = requestBody
        self.name = name
        self.method = method
        self.headers = headers
        self.expect = expect
        self.maxLatency = maxLatency
        self.bodyContains = bodyContains
        self.bodyMatches = bodyMatches
        self.followRedirects = followRedirects
        self.insecureTLS = insecureTLS
        self.certExpiryWarning = certExpiryWarning
        self.interval = interval
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.alerting = alerting
        self.confirmation = confirmation
        self.tls = tls
        self.preparedTLS = preparedTLS
    }

    /// These options with `prepared` as their ready TLS (a new instance: options are immutable).
    public func preparing(_ prepared: any PreparedTLS) -> CheckOptions {
        copy(headers: headers, preparedTLS: prepared)
    }

    /// These options running `check` instead of an HTTP request (a new instance).
    public func checking(_ check: any CheckSpec) -> CheckOptions {
        copy(headers: headers, preparedTLS: preparedTLS, check: check)
    }

    /// These options with `header` added, unless they already send a header of its name (a new instance).
    public func adding(_ header: HeaderField) -> CheckOptions {
        guard !headers.contains(where: { $0.name.lowercased() == header.name.lowercased() }) else { return self }
        return copy(headers: headers + [header], preparedTLS: preparedTLS)
    }

    private func copy(headers: [HeaderField], preparedTLS: (any PreparedTLS)?) -> CheckOptions {
        copy(headers: headers, preparedTLS: preparedTLS, check: check)
    }

    private func copy(headers: [HeaderField], preparedTLS: (any PreparedTLS)?, check: (any CheckSpec)?) -> CheckOptions {
        CheckOptions(
            name: name,
            method: method,
            headers: headers,
            expect: expect,
            maxLatency: maxLatency,
            bodyContains: bodyContains,
            bodyMatches: bodyMatches,
            followRedirects: followRedirects,
            insecureTLS: insecureTLS,
            certExpiryWarning: certExpiryWarning,
            interval: interval,
            timeout: timeout,
            connectTimeout: connectTimeout,
            maxBodyBytes: maxBodyBytes,
            alerting: alerting,
            confirmation: confirmation,
            tls: tls,
            preparedTLS: preparedTLS,
            reuseConnections: reuseConnections,
            requestBody: requestBody,
            jsonChecks: jsonChecks,
            ipVersion: ipVersion,
            quorum: quorum,
            redaction: redaction,
            check: check
        )
    }

    /// The connect timeout a poll with `timeout` uses: the URL's (5 s when it sets none), never more than
    /// `timeout`.
    public func connectTimeout(within timeout: Duration) -> Duration {
        min(connectTimeout ?? .seconds(5), timeout)
    }

    /// Whether a condition needs the response body (and so a GET).
    public var needsBody: Bool { bodyContains != nil || bodyMatches != nil || !jsonChecks.isEmpty }

    /// The method of a URL's first poll: as configured, except that HEAD becomes GET when a condition
    /// needs the body.
    public var initialMethod: CheckMethod { needsBody && method == .head ? .get : method }

    /// How many body bytes a poll keeps: ``maxBodyBytes`` when a condition needs them, else none.
    public var bodyLimit: Int { needsBody ? maxBodyBytes : 0 }
}
