import Foundation
import NIOCore

/// One URL's check of a non-HTTP kind, resolved from its URL and settings: everything a poll of it needs.
///
/// Immutable and shared by the URL's polls (its ``CheckOptions`` hold it). ``run(_:)`` does the I/O and
/// is the only part that may touch the network; what it found is judged by the kind's own pure verdict.
public protocol CheckSpec: Sendable {
    /// The kind this check is of.
    var kind: CheckKindName { get }

    /// Polls once.
    ///
    /// Returns by `context.deadline` (plus scheduling slack) whatever the target does, and never throws:
    /// a failure is a result whose ``CheckResult/failure`` says what kind of failure it was.
    func run(_ context: CheckContext) async -> CheckResult

    /// What counts as up, in a few words, for `--check-config`: `connect`, `/^\+PONG/`.
    var expectation: String { get }
    /// The check's own settings in words, for `--check-config`: `["sends \"PING\\r\\n\""]`.
    var settingsDescription: [String] { get }

    /// Whether `other` is the same check; given to every `Equatable` check by an extension.
    func isSame(as other: any CheckSpec) -> Bool
}

/// What a poll of a ``CheckSpec`` may use: its limits, from the URL's options and the global settings.
public struct CheckContext: Sendable {
    /// The whole poll's limit, quoted in "timed out after …".
    public var timeout: Duration
    /// Bounds connecting (TCP, and the TLS handshake); never more than ``timeout``.
    public var connectTimeout: Duration
    /// When the poll must have ended.
    public var deadline: NIODeadline
    /// Which of the host's addresses the poll may connect to.
    public var ipVersion: IPVersion
    /// The URL's TLS settings made ready (``CheckOptions/preparedTLS``), for kinds that make a TLS
    /// handshake; `nil` uses the defaults.
    public var tls: (any PreparedTLS)?
    /// Whether certificates are accepted without verification (`insecure-tls`).
    public var insecureTLS: Bool

    public init(
        timeout: Duration,
        connectTimeout: Duration,
        deadline: NIODeadline,
        ipVersion: IPVersion,
        tls: (any PreparedTLS)? = nil,
        insecureTLS: Bool = false
    ) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.deadline = deadline
        self.ipVersion = ipVersion
        self.tls = tls
        self.insecureTLS = insecureTLS
    }
}

/// What one poll of a ``CheckSpec`` found, already judged by its kind.
public struct CheckResult: Sendable, Equatable {
    public var health: Health
    /// `connected`, `connection refused`, `expected /^\+PONG/, got "-ERR …"`.
    public var status: String
    /// Why the poll failed, as a code the alerting and metrics read; `nil` for a poll that got an answer
    /// (up, or down because the answer was wrong: see ``FailureKind/unexpectedAnswer``).
    public var failure: FailureKind?
    /// The phases the poll went through (`dns`, `connect`, `tls`, and `ttfb` for an exchange).
    public var phases = PollPhases()
    /// When the server's TLS certificate expires, for checks that made a TLS handshake.
    public var certificateExpiry: Date?
    /// The IP address the poll connected to.
    public var remoteAddress: String?

    public init(health: Health, status: String, failure: FailureKind? = nil) {
        self.health = health
        self.status = status
        self.failure = failure
    }

    /// A failed poll: down, with `failure`'s code and `status` saying why.
    public static func failed(_ failure: FailureKind, _ status: String, phases: PollPhases = PollPhases()) -> CheckResult {
        var result = CheckResult(health: .down, status: status, failure: failure)
        result.phases = phases
        return result
    }
}

extension CheckSpec where Self: Equatable {
    /// Whether `other` is the same check (of the same type, and equal).
    public func isSame(as other: any CheckSpec) -> Bool {
        (other as? Self) == self
    }
}

/// Comparing checks held as `any CheckSpec` (configurations compare their entries on reload).
public enum CheckSpecs {
    /// Whether `a` and `b` are both absent, or the same check.
    public static func same(_ a: (any CheckSpec)?, _ b: (any CheckSpec)?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): a.isSame(as: b)
        default: false
        }
    }
}
