import Foundation

/// One urlpoll instance as the instances sharing a database see it: its name, where it polls from,
/// since when it runs and when it last said it is alive.
public struct InstanceInfo: Sendable, Equatable {
    /// The instance's run in the database (one per process lifetime).
    public var run: Int64
    /// Its name (`instance:`, the host name by default).
    public var name: String
    /// Where it polls from (`--location`); empty for none.
    public var location: String
    public var startedAt: Date
    public var heartbeatAt: Date
    /// Its figures as of its last heartbeat.
    public var figures: InstanceFigures

    public init(run: Int64, name: String, location: String, startedAt: Date, heartbeatAt: Date, figures: InstanceFigures = InstanceFigures()) {
        self.run = run
        self.name = name
        self.location = location
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.figures = figures
    }

    /// How often a running instance says it is alive.
    public static let heartbeatInterval: Duration = .seconds(10)
    /// How long after its last heartbeat an instance that has not stopped still counts as alive.
    public static let liveFor: Duration = .seconds(60)

    /// `/api/instances`: the live instances, oldest first, `this` marking the one that answers.
    ///
    ///     {"instances":[{"run":7,"name":"mon-1","location":"eu","started_at":"…","heartbeat_at":"…",
    ///       "heartbeat_age_s":3.2,"polls":1200,"lateness_p99_ms":1.9,"leases_held":3,
    ///       "claim_round_trips":340,"this":true}, …]}
    public static func json(_ instances: [InstanceInfo], this run: Int64, now: Date) -> String {
        let items = instances.sorted { ($0.startedAt, $0.run) < ($1.startedAt, $1.run) }.map { instance in
            let age = max(0, now.timeIntervalSince(instance.heartbeatAt))
            return "{\"run\":\(instance.run),\"name\":\(JSONReport.quote(instance.name)),"
                + "\"location\":\(instance.location.isEmpty ? "null" : JSONReport.quote(instance.location)),"
                + "\"started_at\":\"\(Timestamp.rfc3339(instance.startedAt))\",\"heartbeat_at\":\"\(Timestamp.rfc3339(instance.heartbeatAt))\","
                + "\"heartbeat_age_s\":\((age * 10).rounded() / 10),\"polls\":\(instance.figures.polls),"
                + "\"lateness_p99_ms\":\(instance.figures.latenessP99.map { "\(($0.seconds * 10_000).rounded() / 10)" } ?? "null"),"
                + "\"leases_held\":\(instance.figures.leasesHeld),\"claim_round_trips\":\(instance.figures.claimRoundTrips),"
                + "\"this\":\(instance.run == run)}"
        }
        return "{\"instances\":[" + items.joined(separator: ",") + "]}\n"
    }
}
