/// Everything that decides how urlpoll polls and reports, with the documented defaults.
///
/// A pure value: the command line fills in what the user gave (``merging(_:)``), then ``validate()``
/// checks the result before anything runs.
public struct Settings: Sendable, Equatable {
    /// Where the history is kept unless `--database` or `database:` says otherwise (the working directory).
    public static let defaultDatabasePath = "urlpoll.sqlite"

    /// Concurrent pollers: the most polls in flight at once.
    public var pollers = 64
    /// Pause between the end of a URL's poll and the start of its next one, when it is up.
    public var interval: Duration = .seconds(60)
    /// How often the state is reported (long-running mode).
    public var statusInterval: Duration = .seconds(10)
    /// Extra pause per consecutive failure.
    public var errorBackoff: Duration = .seconds(10)
    /// The most that failures add to the pause.
    public var maxBackoff: Duration = .seconds(600)
    /// Bounds one whole poll.
    public var timeout: Duration = .seconds(10)
    /// Bounds connecting to a host; `nil` means the smaller of 5s and the timeout.
    public var connectTimeout: Duration?
    /// Poll every URL once, report, and exit.
    public var once = false
    /// How reports are written.
    public var format: ReportFormat = .text
    /// Stop after this long (long-running mode); `nil` runs until a signal.
    public var duration: Duration?
    /// Print no reports at all, periodic or final (errors are still logged).
    public var quiet = false
    /// Recent results kept per URL for the status page's sparklines and `/api/urls/{id}`.
    public var history = 60
    /// Where results, incidents and uptime are kept across restarts.
    public var database = Database.sqlite(path: Settings.defaultDatabasePath)
    /// How much of the history is kept.
    public var retention = RetentionPolicy()
    /// Where this instance polls from (`--location`, `location:`), as the instances sharing a
    /// PostgreSQL database list it; empty for none.
    public var location = ""
    /// The pause between polls of a failing URL until its outage is confirmed (with alert receivers).
    public var recheckInterval = Confirmation.defaultRecheck
    /// The smallest `failure-threshold` of the alert receivers; `nil` without receivers. Set by the
    /// config loader: with it, each URL gets a ``Confirmation``.
    public var alertFailureThreshold: Int?

    /// Where the history is kept.
    public enum Database: Sendable, Equatable, CustomStringConvertible {
        /// No history: nothing is written, nothing survives a restart.
        case none
        /// A SQLite file (created if missing).
        case sqlite(path: String)
        /// A PostgreSQL database, which several instances may share.
        case postgres(PostgresLocation)

        /// `none`, a `postgres://` URL, or a file path.
        ///
        /// - Throws: ``InputError`` for an empty path, a URL of another scheme, or a PostgreSQL URL that
        ///   does not parse (the message never quotes a password).
        public init(parsing text: String) throws(InputError) {
            if text == "none" {
                self = .none
            } else if text.isEmpty {
                throw InputError("empty database path (write a file path, a postgres:// URL, or none)")
            } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
                self = .postgres(try PostgresLocation(parsing: text))
            } else if let scheme = text.range(of: "://") {
                throw InputError(
                    "\(Excerpt.quoted(String(text[..<scheme.lowerBound]))): not a database urlpoll knows (a SQLite file path, postgres://…, or none)"
                )
            } else {
                self = .sqlite(path: text)
            }
        }

        /// Whether several instances may share it (and its configuration): PostgreSQL.
        public var isShared: Bool {
            if case .postgres = self { return true }
            return false
        }

        public var description: String {
            switch self {
            case .none: "none"
            case .sqlite(let path): path
            case .postgres(let location): location.description
            }
        }
    }

    /// Connecting to a host may take this long at most, unless a smaller timeout or a
    /// `connect-timeout` says otherwise.
    public static let defaultConnectTimeout: Duration = .seconds(5)
    /// The range `history` may take.
    public static let historyRange = 1...10_000
    /// The range `pollers` may take.
    public static let pollersRange = 1...100_000

    public init() {}

    /// The defaults, overridden by every value that `overrides` sets.
    public func merging(_ overrides: Overrides) -> Settings {
        var settings = self
        if let value = overrides.pollers { settings.pollers = value }
        if let value = overrides.interval { settings.interval = value }
        if let value = overrides.statusInterval { settings.statusInterval = value }
        if let value = overrides.errorBackoff { settings.errorBackoff = value }
        if let value = overrides.maxBackoff { settings.maxBackoff = value }
        if let value = overrides.timeout { settings.timeout = value }
        if let value = overrides.connectTimeout { settings.connectTimeout = value }
        if let value = overrides.once { settings.once = value }
        if let value = overrides.format { settings.format = value }
        if let value = overrides.duration { settings.duration = value }
        if let value = overrides.quiet { settings.quiet = value }
        if let value = overrides.history { settings.history = value }
        if let value = overrides.database { settings.database = value }
        if let value = overrides.location { settings.location = value }
        if let value = overrides.resultAge { settings.retention.resultAge = value }
        if let value = overrides.resultsPerURL { settings.retention.resultsPerURL = value }
        if let value = overrides.aggregateAge { settings.retention.aggregateAge = value }
        if let value = overrides.recheckInterval { settings.recheckInterval = value }
        return settings
    }

    /// Values given explicitly (for example on the command line); `nil` means "not given".
    public struct Overrides: Sendable, Equatable {
        public var pollers: Int?
        public var interval: Duration?
        public var statusInterval: Duration?
        public var errorBackoff: Duration?
        public var maxBackoff: Duration?
        public var timeout: Duration?
        public var connectTimeout: Duration?
        public var once: Bool?
        public var format: ReportFormat?
        public var duration: Duration?
        public var quiet: Bool?
        public var history: Int?
        public var database: Database?
        public var location: String?
        public var resultAge: Duration?
        public var resultsPerURL: Int?
        public var aggregateAge: Duration?
        public var recheckInterval: Duration?

        public init() {}
    }

    /// Checks values that no type can rule out.
    ///
    /// - Throws: ``InputError`` naming the flag and the rule.
    public func validate() throws(InputError) {
        if !Self.pollersRange.contains(pollers) {
            throw InputError("--pollers must be from \(Self.pollersRange.lowerBound) to \(Self.pollersRange.upperBound) (got \(pollers))")
        }
        if !Self.historyRange.contains(history) {
            throw InputError("--history must be from \(Self.historyRange.lowerBound) to \(Self.historyRange.upperBound) (got \(history))")
        }
        if statusInterval <= .zero { throw InputError("--status-interval must be longer than 0s") }
        if timeout <= .zero { throw InputError("--timeout must be longer than 0s") }
        if let connectTimeout, connectTimeout <= .zero { throw InputError("--connect-timeout must be longer than 0s") }
        if let duration, duration <= .zero { throw InputError("--duration must be longer than 0s") }
        do {
            try Self.checkLocation(location)
        } catch {
            throw InputError("--location \(error.message)")
        }
    }

    /// A location name: up to 64 letters, digits, `-`, `_` and `.` (it becomes a label value and a
    /// column of the page).
    public static func checkLocation(_ name: String) throws(InputError) {
        let allowed = name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
                || byte == 0x2E
        }
        guard name.count <= 64, allowed else {
            throw InputError("\(Excerpt.quoted(name)) is not a location name (up to 64 letters, digits, -, _ and .)")
        }
    }

    /// The sleep policy these settings describe.
    public var sleepPolicy: SleepPolicy {
        SleepPolicy(interval: interval, errorBackoff: errorBackoff, maxBackoff: maxBackoff)
    }
}
